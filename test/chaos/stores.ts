/**
 * The stores a chaos run can put under its workers, in one place: what the parent makes
 * for a run (tables, a schema, a fault proxy), the config it hands every worker, the
 * store and the effect ledger a worker builds from that config, and how the parent reads
 * the ledger back for the judge.
 *
 * - `dynamodb`: DynamoDB Local behind the fault proxy (store faults and latency); the
 *   ledger is a DynamoDB table, written around the proxy.
 * - `postgres`: a schema of the run's own on the PostgreSQL service; the ledger is a
 *   table in it. Transactional mode inserts the effect row in the same transaction as
 *   the COMPLETED record (`store.transaction(ctx).query(...)`).
 * - `redis`: a key prefix of the run's own on the Redis service; the ledger is a list
 *   under it. Normal mode only: `RedisStore` has no `commit`.
 *
 * Normal mode writes an effect as a plain write outside the store on every store, as a
 * real side effect would be. Worker crashes are the faults on every store; only the
 * DynamoDB run injects store faults (the other packages have their own server-fault
 * tests).
 */
import { randomUUID } from 'node:crypto';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import type { DedupStore, RunContext } from '@oncely/core';
import { createTable, DynamoDBStore, dynamoTransaction } from '@oncely/dynamodb';
import { createTable as createPostgresTable, PostgresStore } from '@oncely/postgres';
import { RedisStore } from '@oncely/redis';
import pg from 'pg';
import { createClient } from 'redis';
import { startDynamoDBFaultProxy } from '../faults/dynamodb-fault-proxy.js';
import {
  createLedgerTable,
  effectPut,
  type LedgerEffect,
  readLedger,
  writeEffect,
} from './ledger.js';
import { localDynamo } from './local-aws.js';
import type { ChaosSettings } from './settings.js';
import type { RunMode } from './verdict.js';

/** The stores a chaos run can use. */
export const CHAOS_STORES = ['dynamodb', 'postgres', 'redis'] as const;
export type ChaosStoreKind = (typeof CHAOS_STORES)[number];

/** The modes each store runs; a store without `commit` has no transactional mode. */
export const STORE_MODES: Readonly<Record<ChaosStoreKind, readonly RunMode[]>> = {
  dynamodb: ['transactional', 'normal'],
  postgres: ['transactional', 'normal'],
  redis: ['normal'],
};

/** Why a store skips a mode, for the report's table. */
export function modeNotAvailable(kind: ChaosStoreKind, mode: RunMode): string | undefined {
  if (STORE_MODES[kind].includes(mode)) return undefined;
  return kind === 'redis' ? NO_TRANSACTIONAL_MODE : `${kind} has no ${mode} mode`;
}

/** Why Redis runs normal mode only: a row of its own in the table. */
export const NO_TRANSACTIONAL_MODE = 'RedisStore has no transactional mode';

/** What a worker is told about its store and ledger. */
export type ChaosStoreConfig =
  | {
      readonly kind: 'dynamodb';
      /** Where the store's requests go: the fault proxy. */
      readonly storeEndpoint: string;
      /** Where normal-mode effects go: DynamoDB Local, directly. */
      readonly ledgerEndpoint: string;
      readonly recordsTable: string;
      readonly ledgerTable: string;
    }
  | {
      readonly kind: 'postgres';
      readonly url: string;
      readonly schema: string;
      readonly recordsTable: string;
      readonly ledgerTable: string;
    }
  | {
      readonly kind: 'redis';
      readonly url: string;
      /** The store's key prefix. */
      readonly keyPrefix: string;
      /** The ledger: a list of JSON effects. */
      readonly ledgerKey: string;
    };

/** Where the servers of a run are. */
export interface ChaosStoreServers {
  readonly dynamodbEndpoint: string;
  readonly postgresUrl: string;
  readonly redisUrl: string;
}

/** What the parent holds for one run's store. */
export interface ChaosStoreRun {
  readonly config: ChaosStoreConfig;
  /** Every effect in the ledger. */
  readEffects(): Promise<LedgerEffect[]>;
  /** Store faults injected, by kind, and a line for the report. */
  faults(): { readonly injected: Readonly<Record<string, number>>; readonly note: string };
  /** Drops what the run made. */
  close(): Promise<void>;
}

/** The PostgreSQL service's URL (`POSTGRES_URL`, else the local service). */
export function chaosPostgresUrl(env: NodeJS.ProcessEnv = process.env): string {
  return env.POSTGRES_URL?.trim() || 'postgres://postgres@127.0.0.1:5432/test';
}

/** The Redis service's URL (`REDIS_URL`, else the local service). */
export function chaosRedisUrl(env: NodeJS.ProcessEnv = process.env): string {
  return env.REDIS_URL?.trim() || 'redis://127.0.0.1:6379';
}

/**
 * Makes the store's tables (a schema on Postgres) for run `runId`, and the fault proxy
 * on DynamoDB.
 *
 * @example
 * const store = await prepareChaosStore('postgres', servers, runId, settings, seed);
 * try { ... } finally { await store.close(); }
 */
export async function prepareChaosStore(
  kind: ChaosStoreKind,
  servers: ChaosStoreServers,
  runId: string,
  settings: ChaosSettings,
  seed: number,
): Promise<ChaosStoreRun> {
  if (kind === 'postgres') return preparePostgres(servers.postgresUrl, runId);
  if (kind === 'redis') return prepareRedis(servers.redisUrl, runId);
  const recordsTable = `chaos-records-${runId}`;
  const ledgerTable = `chaos-ledger-${runId}`;
  const admin = localDynamo(servers.dynamodbEndpoint);
  await createTable(admin, { tableName: recordsTable });
  await createLedgerTable(admin, ledgerTable);
  const proxy = await startDynamoDBFaultProxy({
    target: servers.dynamodbEndpoint,
    faultRate: settings.storeFaultRate,
    seed,
    latencyMs: [50, 400],
  });
  return {
    config: {
      kind,
      storeEndpoint: proxy.endpoint,
      ledgerEndpoint: servers.dynamodbEndpoint,
      recordsTable,
      ledgerTable,
    },
    readEffects: () => readLedger(admin, ledgerTable),
    faults() {
      const stats = proxy.stats();
      return {
        injected: stats.injected,
        note: `store: ${stats.totalInjected} faults in ${stats.requests} requests, ${stats.appliedButUnseen} applied but unseen`,
      };
    },
    async close() {
      await proxy.close();
      for (const TableName of [recordsTable, ledgerTable]) {
        await admin.send(new DeleteTableCommand({ TableName })).catch(() => undefined);
      }
      admin.destroy();
    },
  };
}

const POSTGRES_RECORDS = 'chaos_records';
const POSTGRES_LEDGER = 'chaos_ledger';

function postgresPool(url: string, max: number): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max });
  // As node-postgres asks: an idle connection that fails is reported here, and dropped.
  pool.on('error', () => {});
  return pool;
}

async function preparePostgres(url: string, runId: string): Promise<ChaosStoreRun> {
  const schema = `chaos_${runId.replace(/\W/g, '_')}`;
  const admin = postgresPool(url, 2);
  await createPostgresTable(admin, { tableName: POSTGRES_RECORDS, schema });
  await admin.query(
    `CREATE TABLE "${schema}"."${POSTGRES_LEDGER}" (effect_id text PRIMARY KEY, key text NOT NULL, worker text NOT NULL, at bigint NOT NULL)`,
  );
  return {
    config: {
      kind: 'postgres',
      url,
      schema,
      recordsTable: POSTGRES_RECORDS,
      ledgerTable: POSTGRES_LEDGER,
    },
    async readEffects() {
      const { rows } = await admin.query<{ effect_id: string; key: string; worker: string }>(
        `SELECT effect_id, key, worker FROM "${schema}"."${POSTGRES_LEDGER}"`,
      );
      return rows.map((row) => ({ effectId: row.effect_id, key: row.key, worker: row.worker }));
    },
    faults: () => ({ injected: {}, note: `store: PostgreSQL schema ${schema}, no store faults` }),
    async close() {
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
      await admin.end();
    },
  };
}

async function redisClient(url: string) {
  const client = createClient({ url });
  // An unhandled 'error' event would end the process; a failing command still throws.
  client.on('error', () => {});
  await client.connect();
  return client;
}

async function prepareRedis(url: string, runId: string): Promise<ChaosStoreRun> {
  const prefix = `oncely-chaos:${runId}:`;
  const ledgerKey = `${prefix}ledger`;
  const admin = await redisClient(url);
  return {
    config: { kind: 'redis', url, keyPrefix: `${prefix}records:`, ledgerKey },
    async readEffects() {
      const entries = await admin.lRange(ledgerKey, 0, -1);
      return entries.map((entry) => JSON.parse(entry) as LedgerEffect);
    },
    faults: () => ({ injected: {}, note: `store: Redis, key prefix ${prefix}, no store faults` }),
    async close() {
      const keys: string[] = [];
      for await (const batch of admin.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) {
        keys.push(...batch);
      }
      for (let i = 0; i < keys.length; i += 500) await admin.del(keys.slice(i, i + 500));
      admin.destroy();
    },
  };
}

/** The store and the effect ledger of one worker process. */
export interface WorkerStore {
  readonly store: DedupStore;
  /** Normal mode: writes one effect of `key` directly, outside the store. */
  writeEffect(key: string, worker: string): Promise<void>;
  /** Transactional mode: adds one effect of `key` to the record's commit. */
  addEffect(context: RunContext, key: string, worker: string): void;
}

/**
 * Builds a worker's store and ledger from its config: the one place a worker process
 * knows which store it runs on.
 *
 * @example
 * const { store, writeEffect } = await openWorkerStore(config.store);
 */
export async function openWorkerStore(config: ChaosStoreConfig): Promise<WorkerStore> {
  if (config.kind === 'redis') {
    const client = await redisClient(config.url);
    return {
      store: new RedisStore({ client, keyPrefix: config.keyPrefix }),
      writeEffect: async (key, worker) => {
        const effect: LedgerEffect = { effectId: randomUUID(), key, worker };
        await client.rPush(config.ledgerKey, JSON.stringify(effect));
      },
      addEffect: () => {
        throw new Error(NO_TRANSACTIONAL_MODE);
      },
    };
  }
  if (config.kind === 'postgres') {
    const pool = postgresPool(config.url, 10);
    const store = new PostgresStore({
      pool,
      tableName: config.recordsTable,
      schema: config.schema,
    });
    const insert = `INSERT INTO "${config.schema}"."${config.ledgerTable}" (effect_id, key, worker, at) VALUES ($1, $2, $3, $4)`;
    const values = (key: string, worker: string) => [randomUUID(), key, worker, Date.now()];
    return {
      store,
      writeEffect: async (key, worker) => {
        await pool.query(insert, values(key, worker));
      },
      addEffect: (context, key, worker) => {
        store.transaction(context).query(insert, values(key, worker));
      },
    };
  }
  const ledger = localDynamo(config.ledgerEndpoint);
  return {
    // The SDK's default 3 attempts, through the fault proxy.
    store: new DynamoDBStore({
      client: localDynamo(config.storeEndpoint, { maxAttempts: 3 }),
      tableName: config.recordsTable,
    }),
    writeEffect: (key, worker) => writeEffect(ledger, config.ledgerTable, key, worker),
    addEffect: (context, key, worker) => {
      dynamoTransaction(context).put(effectPut(config.ledgerTable, key, worker));
    },
  };
}
