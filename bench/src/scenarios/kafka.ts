import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { BenchTables, benchDynamoClient } from '../contenders/dynamodb-tables.js';
import {
  bareClient,
  KAFKA_CONTENDERS,
  type KafkaClientName,
  type KafkaContender,
  kafkajsPowertools,
  oncelyPerMessage,
  oncelyWatermark,
} from '../contenders/kafka-contenders.js';
import { node22, nodeAtLeast } from '../framework/node-runtime.js';
import type { BenchContext, Scenario, ScenarioReport, TargetCheck } from '../framework/scenario.js';
import { requireEndpoint } from '../framework/servers.js';
import { median } from '../measure/stats.js';
import { type ConsumeRun, type Consumption, consume } from './kafka-consume.js';

const execFileAsync = promisify(execFile);

/** The Node versions @platformatic/kafka runs on (its `engines`): 22.22+ or 24.6+. */
const PLATFORMATIC_NODE = [
  [22, 22],
  [24, 6],
] as const;

/** Sizes of the Kafka scenario, full and quick. */
export const KAFKA_SETTINGS = {
  full: {
    messages: 100_000,
    perMessagePrefix: 2_000,
    partitions: 3,
    rounds: 3,
    timeoutMs: 120_000,
  },
  quick: { messages: 300, perMessagePrefix: 150, partitions: 3, rounds: 1, timeoutMs: 60_000 },
} as const;

type Settings = (typeof KAFKA_SETTINGS)[keyof typeof KAFKA_SETTINGS];

/**
 * Scenario "kafka": the same topic consumed from the start by a new consumer group
 * per contender and round, on the real broker, with DynamoDB Local as the store. Per
 * client (kafkajs, Confluent's KafkaJS API, @platformatic/kafka): the bare client,
 * oncely per message (claims ahead) and oncely's watermark mode; for kafkajs also
 * oncely's `eachMessage` and kafkajs with Powertools' `makeIdempotent`.
 */
export const kafkaScenario: Scenario = {
  name: 'kafka',
  title: 'Kafka consumer groups on the real broker, per client, DynamoDB Local as the store',
  needs: ['kafka', 'dynamodb'],
  run: runKafka,
};

async function runKafka(context: BenchContext): Promise<ScenarioReport> {
  const settings = context.quick ? KAFKA_SETTINGS.quick : KAFKA_SETTINGS.full;
  const brokers = requireEndpoint(context.servers, 'kafka', 'kafka');
  const kafka = new Kafka({
    clientId: 'oncely-bench',
    brokers: [...brokers],
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
        const limit =
          contender.cost === 'per message' ? settings.perMessagePrefix : settings.messages;
        const run = { brokers, topic, endpoint, tableName, limit, timeoutMs: settings.timeoutMs };
        runs.get(contender.name)?.push(await measure(contender, run, context.log));
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

/** Runs `contender` here, or in a Node 22 child when this Node cannot run its client. */
async function measure(
  contender: KafkaContender,
  run: ConsumeRun,
  log: (line: string) => void,
): Promise<Consumption> {
  if (contender.client !== 'platformatic' || nodeAtLeast(PLATFORMATIC_NODE)) {
    return consume(contender, run);
  }
  const node = await node22(log);
  const child = fileURLToPath(new URL('./kafka-child.ts', import.meta.url));
  const { stdout } = await execFileAsync(
    node,
    [
      '--conditions=oncely-source',
      '--import',
      'tsx',
      child,
      JSON.stringify({ contender: contender.name, run }),
    ],
    { maxBuffer: 1 << 20 },
  );
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as Consumption;
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
  const clients: KafkaClientName[] = ['kafkajs', 'confluent', 'platformatic'];
  return {
    scenario: 'kafka',
    title: kafkaScenario.title,
    baseline: bareClient('kafkajs').name,
    columns: [
      { key: 'perSecond', header: 'msg/s', ratio: true },
      { key: 'requests', header: 'store req/msg', digits: 4 },
      { key: 'cpu', header: 'CPU ms/msg', digits: 3 },
    ],
    rows: [...figures].map(([contender, values]) => ({ contender, figures: values })),
    targets: [
      ...clients.map((client) =>
        ratioTarget(
          `oncely watermark vs bare ${client}`,
          rate(oncelyWatermark(client)) / rate(bareClient(client)),
          0.8,
        ),
      ),
      ratioTarget(
        'oncely per-message (kafkajs, claims ahead) vs kafkajs + Powertools',
        rate(oncelyPerMessage('kafkajs')) / rate(kafkajsPowertools),
        2,
      ),
    ],
    settings,
    notes: [
      `${settings.messages.toLocaleString('en-US')} messages on ${settings.partitions} partitions, read from the start by a new consumer group per contender and round, each client with the test suite's fast group timings (heartbeat 300 ms, fetch wait 100 ms); ratios (×) are to bare kafkajs, and each client's own overhead is its oncely rows over its bare row. @platformatic/kafka needs Node 22.22+, so its rows run in a Node 22 child process when the bench runs on Node 20; the per-message contenders stop after the first ${settings.perMessagePrefix.toLocaleString('en-US')}. Median msg/s of ${settings.rounds} rounds.`,
      'msg/s: from the first handler call to the last timed one; the group join is left out. store req/msg: DynamoDB requests per message handled, counted by a client middleware from consumer.run to the disconnect (claims taken ahead of the stop included).',
      'Every message is new here (a fresh group, keys by topic/partition/offset), so the per-message modes pay a claim and a completion each; no message ran twice in any run (checked).',
      "Watermark mode's one store write per batch is not overlapped with the handlers: a batch is what the client fetched for the partition (kafkajs and Confluent's client), or what the @platformatic/kafka binding buffered, at most 16,384 messages per partition (4,096 in the per-message modes, 65,536 across partitions).",
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
