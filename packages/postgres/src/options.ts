import { InvalidOptionError } from '@oncely/core';
import { checkObject, describeValue } from '@oncely/core/adapter';
import { identifier, qualifiedName } from './identifiers.js';
import type { PostgresPool, PostgresPoolClient, PostgresQueryable } from './pool.js';

/**
 * Where the records live: a table (see `createTable` or `sql/create-table.sql`) and,
 * optionally, its schema.
 *
 * @example
 * const table: PostgresTableOptions = { tableName: 'oncely_dedup', schema: 'app' };
 */
export interface PostgresTableOptions {
  /**
   * The table's name, used as given (quoted), so `'Dedup'` and `'dedup'` are two tables.
   * At most 63 bytes.
   */
  readonly tableName: string;
  /**
   * The table's schema. Unset, the name is unqualified and the connection's
   * `search_path` finds it.
   * @default undefined
   */
  readonly schema?: string;
}

/**
 * Options of {@link PostgresStore}: the pool it queries through, and the table.
 *
 * @example
 * const options: PostgresStoreOptions<pg.PoolClient> = { pool: new pg.Pool(), tableName: 'oncely_dedup' };
 */
export interface PostgresStoreOptions<Client extends PostgresPoolClient = PostgresPoolClient>
  extends PostgresTableOptions {
  /**
   * A `pg` `Pool` (or anything with its `query` and `connect`). Yours: the store never
   * ends it. Single operations use `pool.query`; a transactional commit checks out one
   * connection with `pool.connect`.
   */
  readonly pool: PostgresPool<Client>;
}

/**
 * Defaults of the store's options and of `sweep`, in one place.
 *
 * @example
 * await store.sweep({ batchSize: POSTGRES_STORE_DEFAULTS.sweepBatchSize });
 */
export const POSTGRES_STORE_DEFAULTS = {
  schema: undefined,
  sweepBatchSize: 1000,
} as const;

/** The table options after validation. Internal. */
export interface ResolvedTable {
  readonly tableName: string;
  readonly schema: string | undefined;
  /** The quoted, qualified name for SQL. */
  readonly sql: string;
}

/** Validates `tableName` and `schema` (shared with `createTable`). Internal. */
export function resolveTable(options: PostgresTableOptions): ResolvedTable {
  checkObject('options', options);
  const tableName = identifier('tableName', options.tableName);
  const schema =
    options.schema === undefined
      ? POSTGRES_STORE_DEFAULTS.schema
      : identifier('schema', options.schema);
  return { tableName, schema, sql: qualifiedName(tableName, schema) };
}

/** Throws unless `pool` has the `query` (and, for a store, `connect`) of a `pg` `Pool`. Internal. */
export function checkPool(
  pool: unknown,
  needs: readonly ('query' | 'connect')[],
): asserts pool is PostgresQueryable {
  const shape = pool as Record<string, unknown> | null | undefined;
  const missing = needs.filter((method) => typeof shape?.[method] !== 'function');
  if (missing.length > 0) {
    throw new InvalidOptionError(
      'pool',
      `expected a pg Pool (an object with ${needs.map((method) => `${method}()`).join(' and ')}), got ${describeValue(pool)}`,
    );
  }
}

/** Validates every option once, at construction. Internal. */
export function resolveStoreOptions<Client extends PostgresPoolClient>(
  options: PostgresStoreOptions<Client>,
): ResolvedTable & { readonly pool: PostgresPool<Client> } {
  const table = resolveTable(options);
  checkPool(options.pool, ['query', 'connect']);
  return { ...table, pool: options.pool };
}
