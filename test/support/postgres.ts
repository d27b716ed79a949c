/**
 * PostgreSQL for cross-package integration tests: a schema of its own per suite
 * (`oncely_<purpose>_<random>`) on the shared service, with the store's table in it,
 * dropped at the end, so runs and files never see each other's rows.
 *
 * @example
 * import { freshPostgresSchema } from '@oncely/test-support/postgres';
 *
 * const schema = await freshPostgresSchema('sqs');
 * const deduper = createDeduper({ store: schema.store, namespace: 'n' });
 * await schema.drop();
 */
import { randomUUID } from 'node:crypto';
import { createTable, PostgresStore } from '@oncely/postgres';
import pg from 'pg';
import { postgresUrl } from './servers.js';

/** The store's table inside each fresh schema. */
export const POSTGRES_TABLE = 'oncely_dedup';

/** A fresh schema with the store's table in it, a pool and a store on it. */
export interface PostgresSchema {
  readonly schema: string;
  readonly pool: pg.Pool;
  readonly store: PostgresStore<pg.PoolClient>;
  /** Drops the schema (and everything in it) and ends the pool. */
  drop(): Promise<void>;
}

/** Makes schema `oncely_<purpose>_<random>` with the store's table, and a store on it. */
export async function freshPostgresSchema(
  purpose: string,
  poolOptions: pg.PoolConfig = {},
): Promise<PostgresSchema> {
  const schema = `oncely_${purpose.replace(/\W/g, '_')}_${randomUUID().replace(/-/g, '').slice(0, 10)}`;
  const pool = new pg.Pool({ connectionString: postgresUrl(), max: 8, ...poolOptions });
  // As node-postgres asks of every pool: an idle connection that fails is reported here.
  pool.on('error', () => {});
  await createTable(pool, { tableName: POSTGRES_TABLE, schema });
  return {
    schema,
    pool,
    store: new PostgresStore({ pool, tableName: POSTGRES_TABLE, schema }),
    async drop() {
      await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await pool.end();
    },
  };
}
