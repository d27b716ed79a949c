/**
 * `@oncely/postgres`: the PostgreSQL store for oncely. One statement claims a key (and
 * answers a duplicate), owner tokens fence every later write, batches send any number of
 * keys in one statement, and transactional mode commits the handler's own SQL with the
 * record in one transaction.
 *
 * @example
 * import pg from 'pg';
 * import { createDeduper } from '@oncely/core';
 * import { createTable, PostgresStore } from '@oncely/postgres';
 *
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
 * await createTable(pool, { tableName: 'oncely_dedup' });
 * const deduper = createDeduper({ store: new PostgresStore({ pool, tableName: 'oncely_dedup' }), namespace: 'payments' });
 * await deduper.run(event.id, () => chargeCard(event));
 */

export { createTable } from './create-table.js';
export { EffectFailedError, InvalidEffectError, TableNotFoundError } from './errors.js';
export { isRetryablePostgresError } from './faults.js';
export {
  POSTGRES_STORE_DEFAULTS,
  type PostgresStoreOptions,
  type PostgresTableOptions,
} from './options.js';
export type {
  PostgresPool,
  PostgresPoolClient,
  PostgresQueryable,
  PostgresQueryResult,
} from './pool.js';
export { PostgresStore } from './store.js';
export type { SweepOptions } from './sweep.js';
export type { PostgresTransaction } from './transaction.js';
