import { quoteIdentifier } from './identifiers.js';
import { checkPool, type PostgresTableOptions, resolveTable } from './options.js';
import type { PostgresQueryable } from './pool.js';

/**
 * The table's definition, the same as `sql/create-table.sql` (a test applies both and
 * compares the catalogs):
 *
 * - `key text COLLATE "C" PRIMARY KEY`: the store key; `"C"` compares bytes, which is
 *   all a key needs and keeps the index fast
 * - `status text` (`IN_PROGRESS` or `COMPLETED`, checked), `token text`
 * - `lease_until bigint` (epoch ms), `expires_at bigint` (epoch seconds)
 * - `fingerprint text`, `result text` (nullable)
 * - an index on `expires_at`, which `sweep` deletes by
 *
 * Internal: see {@link createTable}.
 */
export function tableDefinition(table: string, indexName: string): string {
  return `CREATE TABLE IF NOT EXISTS ${table} (
  key text COLLATE "C" PRIMARY KEY,
  status text NOT NULL CHECK (status IN ('IN_PROGRESS', 'COMPLETED')),
  token text NOT NULL,
  lease_until bigint NOT NULL,
  expires_at bigint NOT NULL,
  fingerprint text,
  result text
);
CREATE INDEX IF NOT EXISTS ${indexName} ON ${table} (expires_at);`;
}

/**
 * Creates the store's table (and its schema, when given) if they do not exist, with the
 * primary key and the index on the expiry column. Safe to call on every start, also from
 * many instances at once (an advisory lock serializes them). For migrations run by a
 * tool instead, the same definition ships as `sql/create-table.sql`.
 *
 * @example
 * import pg from 'pg';
 * import { createTable } from '@oncely/postgres';
 *
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
 * await createTable(pool, { tableName: 'oncely_dedup', schema: 'app' });
 */
export async function createTable(
  pool: PostgresQueryable,
  options: PostgresTableOptions,
): Promise<void> {
  const table = resolveTable(options);
  checkPool(pool, ['query']);
  // The index is named after the table, as the migration names it; PostgreSQL keeps the
  // first 63 bytes of a longer name.
  const index = quoteIdentifier(`${table.tableName}_expires_at_idx`);
  const schema =
    table.schema === undefined
      ? ''
      : `CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(table.schema)};\n`;
  // One query string without parameters: PostgreSQL runs its statements as one implicit
  // transaction (and rolls it all back on an error, leaving the connection clean). The
  // lock, held to its end, keeps two instances' IF NOT EXISTS from both deciding to
  // create, which would fail one of them on the catalog's unique index.
  await pool.query(`SELECT pg_advisory_xact_lock(hashtext(${literal(table.sql)}));
${schema}${tableDefinition(table.sql, index)}`);
}

/** A string as an SQL literal. */
function literal(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}
