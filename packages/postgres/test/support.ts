/**
 * Each test file works in a schema of its own (`oncely_<random>`) on the shared
 * PostgreSQL service, dropped at the end, so runs and files never see each other's rows.
 */
import { randomUUID } from 'node:crypto';
import { postgresUrl } from '@oncely/test-support/servers';
import pg from 'pg';
import { createTable, type PostgresPool, PostgresStore } from '../src/index.js';

/** The table every test store uses, inside its own schema. */
export const TABLE = 'oncely_dedup';

/** A pool on the test database; `options` override the defaults. */
export function testPool(options: pg.PoolConfig = {}): pg.Pool {
  const pool = new pg.Pool({ connectionString: postgresUrl(), max: 8, ...options });
  // As node-postgres asks of every pool: an idle connection that fails (the fault tests
  // terminate backends) is reported here, and the pool drops it.
  pool.on('error', () => {});
  return pool;
}

/** A fresh schema with the store's table in it. */
export interface FreshSchema {
  readonly schema: string;
  readonly pool: pg.Pool;
  readonly store: PostgresStore<pg.PoolClient>;
  /** Drops the schema and ends the pool. */
  drop(): Promise<void>;
}

/** Makes a schema `oncely_<random>` with the table, and a store on it. */
export async function freshSchema(poolOptions: pg.PoolConfig = {}): Promise<FreshSchema> {
  const schema = `oncely_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const pool = testPool(poolOptions);
  await createTable(pool, { tableName: TABLE, schema });
  return {
    schema,
    pool,
    store: new PostgresStore({ pool, tableName: TABLE, schema }),
    async drop() {
      await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await pool.end();
    },
  };
}

/** Queries sent through a pool (and the connections it hands out), for pinning round trips. */
export interface QueryCounter<Client extends pg.PoolClient = pg.PoolClient> {
  /** The pool to give the store: the same pool, counting. */
  readonly pool: PostgresPool<Client>;
  /** Every statement sent since the last reset, in order (its first word, e.g. `WITH`, `BEGIN`). */
  readonly sent: string[];
  reset(): void;
}

/** Counts every query sent through `pool.query` and through clients from `pool.connect`. */
export function countQueries(pool: pg.Pool): QueryCounter {
  const sent: string[] = [];
  const note = (text: unknown) => {
    sent.push(String(text).trimStart().split(/\s/)[0] ?? '');
  };
  const counted: PostgresPool<pg.PoolClient> = {
    query(text, values) {
      note(text);
      return pool.query(text, values);
    },
    async connect() {
      const client = await pool.connect();
      return new Proxy(client, {
        get(target, property, receiver) {
          if (property !== 'query') return Reflect.get(target, property, receiver);
          return (text: string, values?: unknown[]) => {
            note(text);
            return target.query(text, values);
          };
        },
      });
    },
  };
  return {
    pool: counted,
    sent,
    reset() {
      sent.length = 0;
    },
  };
}
