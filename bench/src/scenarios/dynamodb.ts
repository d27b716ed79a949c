import {
  ConditionalCheckFailedException,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { createDeduper } from '@oncely/core';
import { DynamoDBStore } from '@oncely/dynamodb';
import { countRequests } from '@oncely/test-support/request-counter';
import { BenchTables, benchDynamoClient } from '../contenders/dynamodb-tables.js';
import type { BenchContext, Scenario, ScenarioReport } from '../framework/scenario.js';
import { requireEndpoint } from '../framework/servers.js';
import { measurePhase, type Phase, summarizePhases } from '../measure/phase.js';

/** Sizes of the DynamoDB scenario, full and quick. */
export const DYNAMODB_SETTINGS = {
  full: { messagesPerRound: 800, rounds: 9, concurrency: 16, warmupMessages: 400 },
  quick: { messagesPerRound: 150, rounds: 1, concurrency: 16, warmupMessages: 50 },
} as const;

const FLOOR = 'floor: conditional PutItem';
const FLOOR_TAKEN = 'conditional PutItem, key taken';
const TWO_WRITES = 'bare put + update (2 writes)';
const NEW = 'oncely, new messages';
const DUPLICATE = 'oncely, duplicates';

/**
 * Scenario "dynamodb": oncely's throughput on DynamoDB Local for new messages (claim
 * + complete: 2 writes) and duplicates (1 conditional write that fails), beside the
 * floor: a bare conditional `PutItem` of a new key at the same concurrency, in the
 * same run, on the same table.
 */
export const dynamodbScenario: Scenario = {
  name: 'dynamodb',
  title: 'DynamoDB Local: oncely beside a bare conditional PutItem loop',
  needs: ['dynamodb'],
  run: runDynamodb,
};

async function runDynamodb(context: BenchContext): Promise<ScenarioReport> {
  const settings = context.quick ? DYNAMODB_SETTINGS.quick : DYNAMODB_SETTINGS.full;
  const client = benchDynamoClient(requireEndpoint(context.servers, 'dynamodb', 'dynamodb'));
  const requests = countRequests(client);
  const tables = new BenchTables(client, 'dynamodb');
  try {
    const tableName = await tables.create('oncely');
    const deduper = createDeduper({
      store: new DynamoDBStore({ client, tableName }),
      namespace: 'bench',
      ttl: '24h',
    });
    const phases = new Map<string, Phase[]>(
      [FLOOR, FLOOR_TAKEN, TWO_WRITES, NEW, DUPLICATE].map((name) => [name, []]),
    );
    const options = { concurrency: settings.concurrency, requests };
    const floorPut = (key: string) =>
      client.send(
        new PutItemCommand({
          TableName: tableName,
          // The same attributes as a claim, so the two writes weigh the same.
          Item: {
            pk: { S: `floor#${key}` },
            status: { S: 'IN_PROGRESS' },
            token: { S: '3f1c9a52-7d4e-4b8a-9a0e-5c2d1e6f7a8b' },
            leaseUntil: { N: String(Date.now() + 60_000) },
            expiresAt: { N: String(Math.ceil(Date.now() / 1000) + 86_400) },
          },
          ConditionExpression: 'attribute_not_exists(pk)',
          // What a duplicate's claim asks for, so it needs no read.
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
    // The same put once the key exists: DynamoDB refuses it (HTTP 400) and the SDK throws.
    const floorPutTaken = async (key: string) => {
      try {
        await floorPut(key);
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return;
        throw error;
      }
      throw new Error(`key floor#${key} was expected to exist`);
    };
    // The least a claim-then-complete needs, by hand: the put, then an update to COMPLETED.
    const twoWrites = async (key: string) => {
      await floorPut(`two#${key}`);
      await client.send(
        new UpdateItemCommand({
          TableName: tableName,
          Key: { pk: { S: `floor#two#${key}` } },
          UpdateExpression: 'SET #status = :completed',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':completed': { S: 'COMPLETED' } },
        }),
      );
    };
    const runOnce = async (key: string, expected: 'processed' | 'duplicate') => {
      const outcome = await deduper.run(key, () => key.length);
      if (outcome.status !== expected) {
        throw new Error(`key ${key}: expected ${expected}, got ${outcome.status}`);
      }
    };

    const rounds = settings.rounds + 1;
    for (let round = 0; round < rounds; round++) {
      const warmup = round === 0;
      const count = warmup ? settings.warmupMessages : settings.messagesPerRound;
      const keys = Array.from({ length: count }, (_, index) => `round-${round}-key-${index}`);
      const floor = async () => ({
        put: await measurePhase(keys, floorPut, options),
        taken: await measurePhase(keys, floorPutTaken, options),
        twoWrites: await measurePhase(keys, twoWrites, options),
      });
      const fresh = () => measurePhase(keys, (key) => runOnce(key, 'processed'), options);
      const again = () => measurePhase(keys, (key) => runOnce(key, 'duplicate'), options);
      // Alternate who goes first, so a table that grows or a busy moment hits both.
      const results =
        round % 2 === 0
          ? { floor: await floor(), fresh: await fresh(), again: await again() }
          : { fresh: await fresh(), again: await again(), floor: await floor() };
      if (!warmup) {
        phases.get(FLOOR)?.push(results.floor.put);
        phases.get(FLOOR_TAKEN)?.push(results.floor.taken);
        phases.get(TWO_WRITES)?.push(results.floor.twoWrites);
        phases.get(NEW)?.push(results.fresh);
        phases.get(DUPLICATE)?.push(results.again);
      }
      context.log(`dynamodb: round ${round + 1}/${rounds}${warmup ? ' (warmup)' : ''} done`);
    }
    return buildReport(phases, settings);
  } finally {
    await tables.dropAll();
    client.destroy();
  }
}

function buildReport(
  phases: ReadonlyMap<string, readonly Phase[]>,
  settings: (typeof DYNAMODB_SETTINGS)[keyof typeof DYNAMODB_SETTINGS],
): ScenarioReport {
  const summaries = new Map([...phases].map(([name, list]) => [name, summarizePhases(list)]));
  const rows = [...summaries].map(([contender, summary]) => ({
    contender,
    figures: {
      perSecond: summary.perSecond,
      requests: summary.requestsPerMessage,
      p50: summary.p50Ms,
      p99: summary.p99Ms,
      cpu: summary.cpuMsPerMessage,
    },
  }));
  const rate = (name: string) => summaries.get(name)?.perSecond ?? Number.NaN;
  const floor = rate(FLOOR);
  // Not targets of the issues: the same requests without oncely, so what is left is oncely's own cost.
  const likeForLike = (figure: string, mine: string, theirs: string) => {
    const ratio = rate(mine) / rate(theirs);
    return {
      figure: `${figure} (like for like)`,
      target: '≥ 90%',
      actual: `${(ratio * 100).toFixed(0)}%`,
      met: ratio >= 0.9,
    };
  };
  const share = (name: string) => rate(name) / floor;
  const percent = (value: number) => `${(value * 100).toFixed(0)}% of the floor`;
  return {
    scenario: 'dynamodb',
    title: dynamodbScenario.title,
    baseline: FLOOR,
    columns: [
      { key: 'perSecond', header: 'msg/s', ratio: true },
      { key: 'requests', header: 'requests/msg', digits: 2 },
      { key: 'p50', header: 'p50 ms', digits: 1 },
      { key: 'p99', header: 'p99 ms', digits: 1 },
      { key: 'cpu', header: 'CPU ms/msg', digits: 3 },
    ],
    rows,
    targets: [
      {
        figure: 'oncely new messages / floor',
        target: '≥ 45%',
        actual: percent(share(NEW)),
        met: share(NEW) >= 0.45,
      },
      {
        figure: 'oncely duplicates / floor',
        target: '≥ 90%',
        actual: percent(share(DUPLICATE)),
        met: share(DUPLICATE) >= 0.9,
      },
      likeForLike('oncely new messages / bare put + update', NEW, TWO_WRITES),
      likeForLike('oncely duplicates / put on a taken key', DUPLICATE, FLOOR_TAKEN),
    ],
    settings,
    notes: [
      `${settings.messagesPerRound.toLocaleString('en-US')} keys per round, ${settings.concurrency} in flight, median msg/s of ${settings.rounds} rounds after a warmup round; every round uses new keys, then the same keys again for duplicates.`,
      'Floor: one conditional PutItem of a new key per message (what a claim costs); 2 writes per message would be 50% of it. Key taken: the same put again, refused by its condition (what a duplicate’s claim costs: DynamoDB answers HTTP 400 and the SDK throws). Bare put + update: the two writes of a new message by hand, without oncely.',
      'requests/msg: HTTP requests counted by a client middleware (retries included). CPU ms/msg: this process only (DynamoDB Local runs in its own JVM on the same cores).',
    ],
  };
}
