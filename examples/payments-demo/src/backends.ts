import { randomUUID } from 'node:crypto';
import {
  CreateTableCommand,
  DeleteTableCommand,
  DynamoDBClient,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, DeleteQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { type DedupStore, MemoryStore } from '@oncely/core';
import { createTable, DynamoDBStore } from '@oncely/dynamodb';
import { buildApp } from 'fauxqs';
import { dynamoLedger, type Ledger, memoryLedger } from './ledger.js';

/** Which servers the demo talks to; each one left out is replaced by an in-process one. */
export interface BackendOptions {
  /** An SQS endpoint (ElasticMQ, LocalStack, AWS). @default the in-process fauxqs emulator */
  readonly sqsEndpoint?: string | undefined;
  /** A DynamoDB endpoint (DynamoDB Local, AWS). @default the in-memory store */
  readonly dynamodbEndpoint?: string | undefined;
}

/** The queue server, the store and the ledger one run of the demo uses. */
export interface Backends {
  readonly sqs: SQSClient;
  /** For the header: what serves SQS. */
  readonly sqsName: string;
  readonly store: DedupStore;
  /** For the header: what stores oncely's records. */
  readonly storeName: string;
  /** Transactional mode's ledger, in the same store as oncely's records. */
  readonly ledger: Ledger;
  /** Makes a standard queue for this run. @returns its URL */
  createQueue(name: string, visibilityTimeoutSeconds: number): Promise<string>;
  /** Deletes what this run made (queues, tables) and stops the emulator; once, however often called. */
  close(): Promise<void>;
}

/**
 * Region and credentials for endpoints: the environment's when it has credentials
 * (a real AWS endpoint), otherwise dummies, which local servers accept without the
 * SDK searching for credentials (instance metadata lookups would stall the demo).
 */
function awsConfig(endpoint: string) {
  return {
    endpoint,
    region: process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1',
    ...(process.env.AWS_ACCESS_KEY_ID
      ? {}
      : { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
  };
}

/** Runs cleanup steps in order, all of them, and rethrows the first failure. */
async function cleanUp(steps: Array<() => unknown>): Promise<void> {
  let failure: unknown;
  for (const step of steps) {
    try {
      await step();
    } catch (error) {
      failure ??= error;
    }
  }
  if (failure !== undefined) throw failure;
}

/**
 * Starts the fauxqs SQS emulator inside this process, listening on 127.0.0.1 only
 * (fauxqs's own `startFauxqs` listens on every interface).
 */
async function startEmulator(): Promise<{ endpoint: string; stop: () => Promise<void> }> {
  const app = buildApp({ logger: false });
  const endpoint = await app.listen({ port: 0, host: '127.0.0.1' });
  return { endpoint, stop: () => app.close() };
}

async function openSqs(given: string | undefined) {
  const server =
    given === undefined ? await startEmulator() : { endpoint: given, stop: async () => {} };
  const sqs = new SQSClient(awsConfig(server.endpoint));
  const queues: string[] = [];
  return {
    sqs,
    sqsName: given ?? 'fauxqs, an emulator in this process',
    async createQueue(name: string, visibilityTimeoutSeconds: number) {
      const { QueueUrl } = await sqs.send(
        new CreateQueueCommand({
          QueueName: name,
          Attributes: { VisibilityTimeout: String(visibilityTimeoutSeconds) },
        }),
      );
      if (!QueueUrl) throw new Error(`CreateQueue ${name} returned no queue URL`);
      queues.push(QueueUrl);
      return QueueUrl;
    },
    closeSqs: () =>
      cleanUp([
        ...queues.map((QueueUrl) => () => sqs.send(new DeleteQueueCommand({ QueueUrl }))),
        () => sqs.destroy(),
        () => server.stop(),
      ]),
  };
}

async function openStore(endpoint: string | undefined, runId: string) {
  if (endpoint === undefined) {
    return {
      store: new MemoryStore(),
      storeName: 'in-memory',
      ledger: memoryLedger(),
      closeStore: async () => {},
    };
  }
  const client = new DynamoDBClient(awsConfig(endpoint));
  const tableName = `oncely-demo-${runId}`;
  const ledgerTable = `oncely-demo-${runId}-ledger`;
  const made: string[] = [];
  const closeStore = () =>
    cleanUp([
      ...made.map((TableName) => () => client.send(new DeleteTableCommand({ TableName }))),
      () => client.destroy(),
    ]);
  try {
    await createTable(client, { tableName });
    made.push(tableName);
    await client.send(
      new CreateTableCommand({
        TableName: ledgerTable,
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      }),
    );
    made.push(ledgerTable);
    await waitUntilTableExists({ client, maxWaitTime: 120 }, { TableName: ledgerTable });
  } catch (error) {
    await closeStore().catch(() => {});
    throw error;
  }
  return {
    store: new DynamoDBStore({ client, tableName }),
    storeName: `DynamoDB at ${endpoint}`,
    ledger: dynamoLedger({ client, tableName: ledgerTable }),
    closeStore,
  };
}

/**
 * Opens the demo's servers: the SQS emulator and the in-memory store unless endpoints
 * are given. Tables and queues get names unique to this run, and `close` deletes them,
 * so runs never see each other's records and leave nothing behind.
 *
 * @example
 * const backends = await openBackends({ dynamodbEndpoint: 'http://127.0.0.1:8000' });
 * try { ... } finally { await backends.close(); }
 */
export async function openBackends(options: BackendOptions = {}): Promise<Backends> {
  const runId = randomUUID().slice(0, 8);
  const sqs = await openSqs(options.sqsEndpoint);
  let store: Awaited<ReturnType<typeof openStore>>;
  try {
    store = await openStore(options.dynamodbEndpoint, runId);
  } catch (error) {
    await sqs.closeSqs().catch(() => {});
    throw error;
  }
  let closing: Promise<void> | undefined;
  return {
    sqs: sqs.sqs,
    sqsName: sqs.sqsName,
    store: store.store,
    storeName: store.storeName,
    ledger: store.ledger,
    createQueue: (name, seconds) => sqs.createQueue(`${name}-${runId}`, seconds),
    close: () => {
      closing ??= cleanUp([sqs.closeSqs, store.closeStore]);
      return closing;
    },
  };
}
