/**
 * The shipping worker against ElasticMQ and DynamoDB Local: in process, and as the
 * real `npm start` program in a child process.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { DeleteTableCommand, type DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import type { RecordOutcome } from '@oncely/sqs';
import { queueDepth, sendMessages } from '@oncely/sqs/testing/sqs-server';
import { eventually } from '@oncely/test-support/eventually';
import { useQueues } from '@oncely/test-support/queues';
import {
  describeWithServers,
  dynamoClient,
  dynamodbEndpoint,
  sqsEndpoint,
} from '@oncely/test-support/servers';
import type { Consumer } from 'sqs-consumer';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { settingsFromEnv } from '../src/config.js';
import { setUpLocal } from '../src/setup.js';
import { createShippingWorker } from '../src/worker.js';

const exampleDir = fileURLToPath(new URL('..', import.meta.url));

describeWithServers('sqs-worker example on ElasticMQ and DynamoDB Local', () => {
  const sqs = useQueues('orders');
  let dynamo: DynamoDBClient;
  const tables: string[] = [];

  beforeAll(() => {
    dynamo = dynamoClient();
  });
  afterAll(async () => {
    for (const table of tables) {
      await dynamo.send(new DeleteTableCommand({ TableName: table })).catch(() => {});
    }
    dynamo?.destroy();
  });

  /** Unique table and queue names, made on the local servers by the example's own setup. */
  async function localSetup() {
    const suffix = randomUUID().slice(0, 8);
    const settings = settingsFromEnv({
      QUEUE_NAME: `orders-${suffix}`,
      DEDUP_TABLE: `worker-dedup-${suffix}`,
      SHIPMENTS_TABLE: `worker-shipments-${suffix}`,
      VISIBILITY_TIMEOUT: '2',
    });
    tables.push(settings.dedupTable, settings.shipmentsTable);
    const queueUrl = await setUpLocal(settings, sqs.client, dynamo);
    const { QueueUrl: dlqUrl } = await sqs.client.send(
      new GetQueueUrlCommand({ QueueName: `${settings.queueName}-dlq` }),
    );
    const queue = sqs.adopt({ url: queueUrl, arn: '', deadLetter: { url: dlqUrl ?? '', arn: '' } });
    return { settings, queue };
  }

  async function shipmentsByOrder(table: string): Promise<Record<string, number>> {
    const { Items } = await dynamo.send(
      new ScanCommand({ TableName: table, ConsistentRead: true }),
    );
    const counts: Record<string, number> = {};
    for (const item of Items ?? []) {
      const orderId = item.orderId?.S ?? '';
      counts[orderId] = (counts[orderId] ?? 0) + 1;
    }
    return counts;
  }

  const orders = (ids: string[]) =>
    ids.map((orderId) => ({ body: { orderId, sku: 'sku-1', quantity: 1 } }));

  it('ships each order once across producer retries', async () => {
    const { settings, queue } = await localSetup();
    const outcomes: RecordOutcome<string>[] = [];
    const worker: Consumer = createShippingWorker({
      sqs: sqs.client,
      dynamo,
      queueUrl: queue.url,
      dedupTable: settings.dedupTable,
      shipmentsTable: settings.shipmentsTable,
      visibilityTimeout: 2,
      heartbeatInterval: 1,
      onOutcome: (outcome) => outcomes.push(outcome),
    });
    worker.start();
    try {
      await sendMessages(sqs.client, queue, orders(['o-1', 'o-2', 'o-1', 'o-3', 'o-2', 'o-1']));
      await eventually(
        'the queue drained',
        async () => (await queueDepth(sqs.client, queue)) === 0,
      );
    } finally {
      worker.stop({ abort: true });
    }
    expect(await shipmentsByOrder(settings.shipmentsTable)).toEqual({
      'o-1': 1,
      'o-2': 1,
      'o-3': 1,
    });
    expect(
      outcomes
        .filter((o) => o.status === 'processed')
        .map((o) => o.key)
        .sort(),
    ).toEqual(['o-1', 'o-2', 'o-3']);
  });

  it('runs as a program (npm start) against SQS_ENDPOINT and DYNAMODB_ENDPOINT, and stops on SIGTERM', async () => {
    const { settings, queue } = await localSetup();
    await sendMessages(sqs.client, queue, orders(['p-1', 'p-2', 'p-1']));
    const program = spawn(
      process.execPath,
      ['--import', 'tsx', '--conditions=oncely-source', 'src/main.ts'],
      {
        cwd: exampleDir,
        env: {
          ...process.env,
          SQS_ENDPOINT: sqsEndpoint(),
          DYNAMODB_ENDPOINT: dynamodbEndpoint(),
          QUEUE_NAME: settings.queueName,
          DEDUP_TABLE: settings.dedupTable,
          SHIPMENTS_TABLE: settings.shipmentsTable,
          VISIBILITY_TIMEOUT: '2',
          HEARTBEAT_INTERVAL: '1',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const output = collect(program);
    try {
      await eventually(
        'both orders shipped',
        async () => Object.keys(await shipmentsByOrder(settings.shipmentsTable)).length === 2,
        30_000,
      );
      await eventually(
        'the queue drained',
        async () => (await queueDepth(sqs.client, queue)) === 0,
      );
    } finally {
      program.kill('SIGTERM');
    }
    const [code] = await once(program, 'exit');
    expect(code, output()).toBe(0);
    expect(await shipmentsByOrder(settings.shipmentsTable)).toEqual({ 'p-1': 1, 'p-2': 1 });
    expect(output()).toContain('shipped order p-1');
    expect(output()).toContain('stopped');
  });
});

function collect(program: ChildProcess): () => string {
  let text = '';
  program.stdout?.on('data', (chunk) => {
    text += chunk;
  });
  program.stderr?.on('data', (chunk) => {
    text += chunk;
  });
  return () => text;
}
