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
import { createTable as createPostgresTable, PostgresStore } from '@oncely/postgres';
import { RedisStore } from '@oncely/redis';
import { buildApp } from 'fauxqs';
import pg from 'pg';
import { createClient } from 'redis';
import { dynamoLedger, type Ledger, memoryLedger, postgresLedger } from './ledger.js';

/** Where oncely's records live. */
export type StoreKind = 'memory' | 'dynamodb' | 'postgres' | 'redis';

/** The store and the server it needs. */
export type StoreChoice =
  | { readonly kind: 'memory' }
  | { readonly kind: 'dynamodb'; readonly endpoint: string }
  | { readonly kind: 'postgres'; readonly url: string }
  | { readonly kind: 'redis'; readonly url: string };

/** Which servers the demo talks to; each one left out is replaced by an in-process one. */
export interface BackendOptions {
  /** An SQS endpoint (ElasticMQ, LocalStack, AWS). @default the in-process fauxqs emulator */
  readonly sqsEndpoint?: string | undefined;
  /** oncely's store. @default the in-memory store */
  readonly store?: StoreChoice | undefined;
}

/** The queue server, the store and the ledger one run of the demo uses. */
export interface Backends {
  readonly sqs: SQSClient;
  /** For the header: what serves SQS. */
  readonly sqsName: string;
  readonly store: DedupStore;
  /** For the header: what stores oncely's records. */
  readonly storeName: string;
  /**
   * Transactional mode's ledger, in the same store as oncely's records; `undefined` for a
   * store without transactional mode (Redis), whose column the report marks not available.
   */
  readonly ledger: Ledger | undefined;
  /** Why transactional mode does not run, when `ledger` is `undefined`. */
  readonly transactionalUnavailable?: string | undefined;
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

/** An opened store: the store, its ledger, and how to drop what was made for the run. */
interface OpenedStore {
  readonly store: DedupStore;
  readonly storeName: string;
  readonly ledger: Ledger | undefined;
  readonly transactionalUnavailable?: string;
  closeStore(): Promise<void>;
}

async function openStore(choice: StoreChoice, runId: string): Promise<OpenedStore> {
  if (choice.kind === 'postgres') return openPostgres(choice.url, runId);
  if (choice.kind === 'redis') return openRedis(choice.url, runId);
  if (choice.kind === 'memory') {
    return {
      store: new MemoryStore(),
      storeName: 'in-memory',
      ledger: memoryLedger(),
      closeStore: async () => {},
    };
  }
  const { endpoint } = choice;
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

/** The URL without its password, for the header. */
function shownUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}

/**
 * PostgreSQL: a schema of the run's own (`oncely_demo_<run>`) with oncely's table and the
 * ledger table, dropped at the end.
 */
async function openPostgres(url: string, runId: string): Promise<OpenedStore> {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  // As node-postgres asks: an idle connection that fails is reported here, and dropped.
  pool.on('error', (error) => console.error('postgres: idle connection failed:', error.message));
  const schema = `oncely_demo_${runId}`;
  let made = false;
  const closeStore = () =>
    cleanUp([
      ...(made ? [() => pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)] : []),
      () => pool.end(),
    ]);
  try {
    await createPostgresTable(pool, { tableName: 'oncely_dedup', schema });
    made = true;
    const store = new PostgresStore({ pool, tableName: 'oncely_dedup', schema });
    const ledger = await postgresLedger({ pool, store, table: `"${schema}".ledger` });
    return {
      store,
      storeName: `PostgreSQL at ${shownUrl(url)}, schema ${schema}`,
      ledger,
      closeStore,
    };
  } catch (error) {
    await closeStore().catch(() => {});
    throw error;
  }
}

/**
 * Redis: oncely's keys under a prefix of the run's own (`oncely-demo:<run>:`), deleted at
 * the end. No ledger: `RedisStore` has no transactional mode.
 */
async function openRedis(url: string, runId: string): Promise<OpenedStore> {
  const client = createClient({ url });
  client.on('error', (error: Error) => console.error('redis:', error.message));
  await client.connect();
  const keyPrefix = `oncely-demo:${runId}:`;
  return {
    store: new RedisStore({ client, keyPrefix }),
    storeName: `Redis at ${shownUrl(url)}, key prefix ${keyPrefix}`,
    ledger: undefined,
    transactionalUnavailable:
      'RedisStore has no transactional mode (a Redis script cannot commit your effects with the record); use the oncely column, or DynamoDB or PostgreSQL for exactly-once effects.',
    closeStore: () =>
      cleanUp([
        async () => {
          const keys: string[] = [];
          for await (const batch of client.scanIterator({ MATCH: `${keyPrefix}*`, COUNT: 500 })) {
            keys.push(...batch);
          }
          if (keys.length > 0) await client.del(keys);
        },
        () => client.destroy(),
      ]),
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
  let store: OpenedStore;
  try {
    store = await openStore(options.store ?? { kind: 'memory' }, runId);
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
    transactionalUnavailable: store.transactionalUnavailable,
    createQueue: (name, seconds) => sqs.createQueue(`${name}-${runId}`, seconds),
    close: () => {
      closing ??= cleanUp([sqs.closeSqs, store.closeStore]);
      return closing;
    },
  };
}
