import { randomUUID } from 'node:crypto';
import type { DedupStore } from '@oncely/core';
import { DynamoDBStore } from '@oncely/dynamodb';
import { createTable, type PostgresPool, PostgresStore } from '@oncely/postgres';
import { fromNodeRedis, RedisStore } from '@oncely/redis';
import { countRequests } from '@oncely/test-support/request-counter';
import { serviceUrl } from '@oncely/test-support/services';
import { createClient } from '@redis/client';
import pg from 'pg';
import { startBenchRedis } from '../framework/redis.js';
import type { BenchContext } from '../framework/scenario.js';
import { requireEndpoint, type ServerKind } from '../framework/servers.js';
import { BenchTables, benchDynamoClient } from './dynamodb-tables.js';

/** A store opened for the `stores` scenario. */
export interface OpenStore {
  readonly store: DedupStore;
  /** Round trips to the store so far (monotonic): HTTP requests, pipelines, queries. */
  roundTrips(): Promise<number>;
  close(): Promise<void>;
}

/**
 * One store in the `stores` scenario. A new store plugs in with one entry in
 * {@link STORE_BENCHES}: its name, the launcher servers it needs, and how to open it
 * (a fresh table, schema or prefix) with a round-trip count.
 */
export interface StoreBench {
  /** The row label, e.g. `DynamoDB Local`. */
  readonly name: string;
  /** Launcher servers to start first (Redis starts its own; PostgreSQL is a service). */
  readonly needs: readonly ServerKind[];
  /** How round trips are counted, for the notes under the table. */
  readonly counted: string;
  open(context: BenchContext): Promise<OpenStore>;
}

/** `DynamoDBStore` on DynamoDB Local, a fresh table. */
export const dynamodbStoreBench: StoreBench = {
  name: 'DynamoDB Local',
  needs: ['dynamodb'],
  counted: 'HTTP requests (a client middleware)',
  async open(context) {
    const client = benchDynamoClient(requireEndpoint(context.servers, 'dynamodb', 'stores'));
    const tables = new BenchTables(client, 'stores');
    const requests = countRequests(client);
    const store = new DynamoDBStore({ client, tableName: await tables.create('oncely') });
    return {
      store,
      roundTrips: async () => requests.total,
      async close() {
        await tables.dropAll();
        client.destroy();
      },
    };
  },
};

/** `RedisStore` on node-redis, on a private redis-server. */
export const redisStoreBench: StoreBench = {
  name: 'Redis (node-redis)',
  needs: [],
  counted: 'read events of the private redis-server (one per pipeline or lone command)',
  async open() {
    const redis = await startBenchRedis();
    const client = createClient({ url: redis.url });
    client.on('error', () => {});
    await client.connect();
    return {
      store: new RedisStore({ client: fromNodeRedis(client) }),
      roundTrips: () => redis.roundTrips(),
      async close() {
        client.destroy();
        await redis.stop();
      },
    };
  },
};

/** `PostgresStore` on the PostgreSQL service (`POSTGRES_URL`), in a fresh schema. */
export const postgresStoreBench: StoreBench = {
  name: 'PostgreSQL',
  needs: [],
  counted: 'queries sent through the pool',
  async open() {
    const pool = new pg.Pool({ connectionString: serviceUrl('postgres'), max: 16 });
    pool.on('error', () => {});
    const schema = `oncely_bench_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
    const tableName = 'oncely_dedup';
    await createTable(pool, { tableName, schema });
    let queries = 0;
    // The hot path sends single statements through `query`; `connect` is for transactions.
    const counted: PostgresPool<pg.PoolClient> = {
      query(text, values) {
        queries++;
        return pool.query(text, values);
      },
      connect: () => pool.connect(),
    };
    return {
      store: new PostgresStore({ pool: counted, tableName, schema }),
      roundTrips: async () => queries,
      async close() {
        await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        await pool.end();
      },
    };
  },
};

/** Every store the `stores` scenario runs, in table order: a new store is one more entry. */
export const STORE_BENCHES: readonly StoreBench[] = [
  dynamodbStoreBench,
  redisStoreBench,
  postgresStoreBench,
];
