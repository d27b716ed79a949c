import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import type { OncelyEvent } from '@oncely/core';
import {
  describeWithServers,
  dynamoClient,
  dynamodbEndpoint,
  kafkaBrokers,
  kafkaClient,
} from '@oncely/test-support/servers';
import type { Kafka } from 'kafkajs';
import { afterAll, expect, it } from 'vitest';
import { readBalances } from '../src/balances.js';
import { type Member, startMember } from '../src/consumer.js';
import { setUp } from '../src/setup.js';
import { produceTraffic } from '../src/traffic.js';

const exampleDir = fileURLToPath(new URL('..', import.meta.url));

function names() {
  const id = randomUUID().slice(0, 8);
  return {
    tableName: `oncely-example-kafka-${id}`,
    balancesTable: `example-balances-${id}`,
    topic: `payments-${id}`,
    deadLetterTopic: `payments-${id}.dead-letter`,
    groupId: `balance-updater-${id}`,
  };
}

async function caughtUp(kafka: Kafka, groupId: string, topic: string): Promise<boolean> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    const ends = await admin.fetchTopicOffsets(topic);
    // An empty partition has nothing to commit: its committed offset stays -1.
    return ends.every(
      (end) =>
        end.high === '0' ||
        committed?.partitions.find((p) => p.partition === end.partition)?.offset === end.high,
    );
  } finally {
    await admin.disconnect();
  }
}

async function eventually(what: string, check: () => Promise<boolean> | boolean, ms = 60_000) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describeWithServers('kafka-consumer-group example', () => {
  const dynamo = dynamoClient();
  const tables: string[] = [];
  afterAll(async () => {
    await Promise.allSettled(
      tables.map((TableName) => dynamo.send(new DeleteTableCommand({ TableName }))),
    );
    dynamo.destroy();
  });

  it('applies every payment exactly once while a member leaves, and dead-letters the poison message', async () => {
    const kafka = kafkaClient();
    const settings = names();
    tables.push(settings.tableName, settings.balancesTable);
    await setUp(kafka, dynamo, settings);
    const traffic = await produceTraffic(kafka, settings.topic, 60);

    const completed: OncelyEvent[] = [];
    const start = () =>
      startMember({
        kafka,
        dynamo,
        ...settings,
        sessionTimeout: 6_000,
        heartbeatInterval: 300,
        onEvent: (event) => event.type === 'completed' && completed.push(event),
      });
    const members: Member[] = [await start(), await start()];
    try {
      await eventually('the group to be under way', () => completed.length >= 10);
      await members[0]?.stop(); // its partitions move to the other member
      await eventually('the group to commit every message', () =>
        caughtUp(kafka, settings.groupId, settings.topic),
      );
    } finally {
      await Promise.allSettled(members.map((member) => member.stop()));
    }

    const { accounts, payments } = await readBalances(dynamo, settings.balancesTable);
    expect(payments).toEqual(traffic.payments.map((p) => p.paymentId).sort());
    expect(
      Object.fromEntries(Object.entries(accounts).map(([a, b]) => [a, b.balanceCents])),
    ).toEqual(traffic.expected);
    expect(Object.values(accounts).reduce((n, b) => n + b.paymentsApplied, 0)).toBe(60);

    const deadLettered: { value: string; source: string }[] = [];
    const reader = kafka.consumer({ groupId: `${settings.groupId}-dlq`, maxWaitTimeInMs: 100 });
    await reader.connect();
    await reader.subscribe({ topic: settings.deadLetterTopic, fromBeginning: true });
    await reader.run({
      eachMessage: async ({ message }) => {
        deadLettered.push({
          value: String(message.value),
          source: String(message.headers?.['x-source']),
        });
      },
    });
    try {
      await eventually('the dead-lettered message', () => deadLettered.length > 0, 30_000);
    } finally {
      await reader.disconnect();
    }
    expect(deadLettered).toHaveLength(1);
    expect(deadLettered[0]?.value).toBe('{"paymentId": oops');
    expect(deadLettered[0]?.source).toMatch(new RegExp(`^${settings.topic}/\\d/\\d+$`));
  });

  it('runs as `npm start` against KAFKA_BROKERS and DYNAMODB_ENDPOINT', async () => {
    const settings = names();
    tables.push(settings.tableName, settings.balancesTable);
    const child: ChildProcess = spawn(
      process.execPath,
      ['--import', 'tsx', '--conditions=oncely-source', 'src/main.ts'],
      {
        cwd: exampleDir,
        env: {
          ...process.env,
          KAFKA_BROKERS: kafkaBrokers().join(','),
          DYNAMODB_ENDPOINT: dynamodbEndpoint(),
          ONCELY_TABLE: settings.tableName,
          BALANCES_TABLE: settings.balancesTable,
          PAYMENTS_TOPIC: settings.topic,
          DEAD_LETTER_TOPIC: settings.deadLetterTopic,
          GROUP_ID: settings.groupId,
          REPORT_EVERY_MS: '300',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout?.on('data', (chunk) => {
      output += String(chunk);
    });
    child.stderr?.on('data', (chunk) => {
      output += String(chunk);
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      await eventually('the expected balances line', () => {
        const expected = /expected balances \(cents\): (.*)/.exec(output)?.[1];
        if (expected === undefined) return false;
        const want = JSON.parse(expected) as Record<string, number>;
        const lines = output.split('\n').filter((line) => line.startsWith('balances: '));
        const last = lines.at(-1);
        if (last === undefined) return false;
        const got = JSON.parse(last.slice('balances: '.length)) as Record<
          string,
          { balanceCents: number }
        >;
        return Object.entries(want).every(
          ([account, cents]) => got[account]?.balanceCents === cents,
        );
      });
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
    expect(output).toMatch(/produced 37 messages for 30 payments/);
  });
});
