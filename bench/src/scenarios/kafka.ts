import { randomUUID } from 'node:crypto';
import { countRequests } from '@oncely/test-support/request-counter';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { BenchTables, benchDynamoClient } from '../contenders/dynamodb-tables.js';
import {
  bareKafkajs,
  KAFKA_CONTENDERS,
  type KafkaContender,
  kafkajsPowertools,
  oncelyEachBatch,
  oncelyWatermark,
} from '../contenders/kafka-contenders.js';
import type { BenchContext, Scenario, ScenarioReport, TargetCheck } from '../framework/scenario.js';
import { requireEndpoint } from '../framework/servers.js';
import { nowMs } from '../measure/clock.js';
import { startCpuMeter } from '../measure/cpu.js';
import { median } from '../measure/stats.js';

/** Sizes of the Kafka scenario, full and quick. */
export const KAFKA_SETTINGS = {
  full: { messages: 30_000, perMessagePrefix: 2_000, partitions: 3, rounds: 3, timeoutMs: 120_000 },
  quick: { messages: 300, perMessagePrefix: 150, partitions: 3, rounds: 1, timeoutMs: 60_000 },
} as const;

type Settings = (typeof KAFKA_SETTINGS)[keyof typeof KAFKA_SETTINGS];

/** One contender's run: CPU and requests are per message. */
interface Consumption {
  /** The timed messages: the first `limit` the handler ran for. */
  readonly limit: number;
  readonly elapsedMs: number;
  readonly cpuMs: number;
  readonly requests: number;
}

/**
 * Scenario "kafka": the same topic consumed from the start by a new consumer group
 * per contender and round, on the real broker, with DynamoDB Local as the store:
 * bare kafkajs, oncely per message (`eachMessage`, and `eachBatch` with claims
 * ahead), oncely's watermark mode, and kafkajs with Powertools' `makeIdempotent`.
 */
export const kafkaScenario: Scenario = {
  name: 'kafka',
  title: 'Kafka consumer groups on the real broker, DynamoDB Local as the store',
  needs: ['kafka', 'dynamodb'],
  run: runKafka,
};

async function runKafka(context: BenchContext): Promise<ScenarioReport> {
  const settings = context.quick ? KAFKA_SETTINGS.quick : KAFKA_SETTINGS.full;
  const kafka = new Kafka({
    clientId: 'oncely-bench',
    brokers: [...requireEndpoint(context.servers, 'kafka', 'kafka')],
    logLevel: logLevel.NOTHING,
  });
  const endpoint = requireEndpoint(context.servers, 'dynamodb', 'kafka');
  const admin = benchDynamoClient(endpoint);
  const tables = new BenchTables(admin, 'kafka');
  const topic = `bench-orders-${randomUUID().slice(0, 8)}`;
  try {
    await produceOrders(kafka, topic, settings);
    context.log(`kafka: produced ${settings.messages} messages to ${topic}`);
    const runs = new Map<string, Consumption[]>(KAFKA_CONTENDERS.map((c) => [c.name, []]));
    for (let round = 0; round < settings.rounds; round++) {
      for (let index = 0; index < KAFKA_CONTENDERS.length; index++) {
        // Rotate the order each round, so a busy moment of the machine hits everyone.
        const contender = KAFKA_CONTENDERS[
          (round + index) % KAFKA_CONTENDERS.length
        ] as KafkaContender;
        const tableName = contender.table === undefined ? '' : await tableFor(contender, tables);
        runs
          .get(contender.name)
          ?.push(await consume(kafka, topic, contender, { endpoint, tableName, settings }));
      }
      context.log(`kafka: round ${round + 1}/${settings.rounds} done`);
    }
    return buildReport(runs, settings);
  } finally {
    await tables.dropAll();
    admin.destroy();
    const kafkaAdmin = kafka.admin();
    await kafkaAdmin.connect();
    await kafkaAdmin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await kafkaAdmin.disconnect();
  }
}

function tableFor(contender: KafkaContender, tables: BenchTables): Promise<string> {
  return contender.table === 'powertools'
    ? tables.create('powertools', { key: 'id', expiresAt: 'expiration' })
    : tables.create('oncely');
}

async function produceOrders(kafka: Kafka, topic: string, settings: Settings): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    topics: [{ topic, numPartitions: settings.partitions, replicationFactor: 1 }],
    waitForLeaders: true,
  });
  await admin.disconnect();
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const chunk = 1_000;
  for (let start = 0; start < settings.messages; start += chunk) {
    const messages = Array.from({ length: Math.min(chunk, settings.messages - start) }, (_, i) => {
      const index = start + i;
      const orderId = `order-${index}`;
      return { key: orderId, value: JSON.stringify({ orderId, amount: (index % 97) + 1 }) };
    });
    await producer.send({ topic, messages });
  }
  await producer.disconnect();
}

/**
 * Runs one contender's consumer group over the topic (or its first
 * `perMessagePrefix` messages, for the per-message contenders). The clock and the CPU
 * meter run from the first handler call to the `limit`-th; store requests count from
 * `consumer.run` to the disconnect (the claims before the first handler and the
 * completion after the last included), per message handled.
 */
async function consume(
  kafka: Kafka,
  topic: string,
  contender: KafkaContender,
  run: { readonly endpoint: string; readonly tableName: string; readonly settings: Settings },
): Promise<Consumption> {
  const { timeoutMs } = run.settings;
  const limit =
    contender.cost === 'per message' ? run.settings.perMessagePrefix : run.settings.messages;
  const client = benchDynamoClient(run.endpoint);
  const requests = countRequests(client);
  const groupId = `bench-${randomUUID().slice(0, 8)}`;
  const consumer = kafka.consumer({ groupId });
  const seen = new Set<string>();
  let repeated = 0;
  let started = 0;
  let elapsedMs = Number.NaN;
  let cpuMs = Number.NaN;
  let cpu: { stop(): number } | undefined;
  let finish = () => {};
  const finished = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const work = async (position: string, value: Buffer | string | null): Promise<number> => {
    if (seen.size === 0) {
      started = nowMs();
      cpu = startCpuMeter();
    }
    const order = JSON.parse(String(value)) as { orderId: string; amount: number };
    if (seen.has(position)) repeated++;
    seen.add(position);
    if (seen.size === limit) {
      elapsedMs = nowMs() - started;
      cpuMs = cpu?.stop() ?? Number.NaN;
      finish();
    }
    return order.amount * 2 + order.orderId.length;
  };
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run(contender.runConfig({ client, tableName: run.tableName, groupId }, work));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      finished,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new Error(`${contender.name}: handled ${seen.size} of ${limit} in ${timeoutMs} ms`),
            ),
          timeoutMs,
        );
      }),
    ]).finally(() => clearTimeout(timer));
  } finally {
    await consumer.disconnect();
    client.destroy();
  }
  if (repeated > 0) {
    throw new Error(
      `${contender.name}: the handler ran ${repeated} times for a message it had run`,
    );
  }
  return {
    limit,
    elapsedMs,
    cpuMs: cpuMs / limit,
    requests: requests.total / seen.size,
  };
}

function buildReport(
  runs: ReadonlyMap<string, readonly Consumption[]>,
  settings: Settings,
): ScenarioReport {
  const figures = new Map(
    [...runs].map(([name, list]) => [
      name,
      {
        perSecond: median(list.map((run) => run.limit / (run.elapsedMs / 1000))),
        requests: list.reduce((sum, run) => sum + run.requests, 0) / list.length,
        cpu: list.reduce((sum, run) => sum + run.cpuMs, 0) / list.length,
      },
    ]),
  );
  const rate = (contender: KafkaContender) => figures.get(contender.name)?.perSecond ?? Number.NaN;
  return {
    scenario: 'kafka',
    title: kafkaScenario.title,
    baseline: bareKafkajs.name,
    columns: [
      { key: 'perSecond', header: 'msg/s', ratio: true },
      { key: 'requests', header: 'store req/msg', digits: 4 },
      { key: 'cpu', header: 'CPU ms/msg', digits: 3 },
    ],
    rows: [...figures].map(([contender, values]) => ({ contender, figures: values })),
    targets: [
      ratioTarget(
        'oncely watermark vs bare kafkajs',
        rate(oncelyWatermark) / rate(bareKafkajs),
        0.8,
      ),
      ratioTarget(
        'oncely per-message (eachBatch) vs kafkajs + Powertools',
        rate(oncelyEachBatch) / rate(kafkajsPowertools),
        2,
      ),
    ],
    settings,
    notes: [
      `${settings.messages.toLocaleString('en-US')} messages on ${settings.partitions} partitions, read from the start by a new consumer group per contender and round (kafkajs defaults: one partition at a time); the per-message contenders stop after the first ${settings.perMessagePrefix.toLocaleString('en-US')}. Median msg/s of ${settings.rounds} rounds.`,
      'msg/s: from the first handler call to the last timed one; the group join is left out. store req/msg: DynamoDB requests per message handled, counted by a client middleware from consumer.run to the disconnect (claims taken ahead of the stop included).',
      'Every message is new here (a fresh group, keys by topic/partition/offset), so the per-message modes pay a claim and a completion each; no message ran twice in any run (checked).',
    ],
  };
}

function ratioTarget(figure: string, ratio: number, atLeast: number): TargetCheck {
  return {
    figure,
    target: `≥ ${atLeast.toFixed(1)}x`,
    actual: `${ratio.toFixed(2)}x`,
    met: ratio >= atLeast,
  };
}
