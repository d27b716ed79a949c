/**
 * Each test file works in a schema of its own (`oncely_pg_<random>`) on the shared
 * PostgreSQL service, dropped at the end, so runs and files never see each other's rows.
 */
import {
  freshPostgresSchema,
  POSTGRES_TABLE,
  type PostgresSchema,
} from '@oncely/test-support/postgres';
import { postgresUrl } from '@oncely/test-support/servers';
import pg from 'pg';
import type { PostgresPool } from '../src/index.js';

/** The table every test store uses, inside its own schema. */
export const TABLE = POSTGRES_TABLE;

/** A pool on the test database; `options` override the defaults. */
export function testPool(options: pg.PoolConfig = {}): pg.Pool {
  const pool = new pg.Pool({ connectionString: postgresUrl(), max: 8, ...options });
  // As node-postgres asks of every pool: an idle connection that fails (the fault tests
  // terminate backends) is reported here, and the pool drops it.
  pool.on('error', () => {});
  return pool;
}

/** A fresh schema with the store's table in it, a pool and a store on it. */
export type FreshSchema = PostgresSchema;

/** Makes a schema `oncely_pg_<random>` with the table, and a store on it. */
export function freshSchema(poolOptions: pg.PoolConfig = {}): Promise<FreshSchema> {
  return freshPostgresSchema('pg', poolOptions);
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
