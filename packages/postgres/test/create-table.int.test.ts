import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { describeWithServers } from '@oncely/test-support/servers';
import type pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTable, PostgresStore } from '../src/index.js';
import { TABLE, testPool } from './support.js';

const MIGRATION = new URL('../sql/create-table.sql', import.meta.url);

/** What the catalog says about a table: columns, constraints, indexes, schema name left out. */
async function describeTable(pool: pg.Pool, schema: string, table: string) {
  const columns = await pool.query(
    `SELECT column_name, data_type, is_nullable, collation_name, column_default, ordinal_position
     FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position`,
    [schema, table],
  );
  const constraints = await pool.query(
    `SELECT contype, pg_get_constraintdef(c.oid) AS definition
     FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace
     WHERE n.nspname = $1 AND t.relname = $2 ORDER BY contype, definition`,
    [schema, table],
  );
  const indexes = await pool.query(
    `SELECT indexname, replace(indexdef, $1 || '.', '') AS definition
     FROM pg_indexes WHERE schemaname = $1 AND tablename = $2 ORDER BY indexname`,
    [schema, table],
  );
  return { columns: columns.rows, constraints: constraints.rows, indexes: indexes.rows };
}

describeWithServers('createTable and sql/create-table.sql', () => {
  const schemas = Array.from(
    { length: 3 },
    () => `oncely_${randomUUID().replace(/-/g, '').slice(0, 12)}`,
  );
  const [fromFile, fromCode, racing] = schemas as [string, string, string];
  let pool: pg.Pool;
  beforeAll(() => {
    pool = testPool();
  });
  afterAll(async () => {
    for (const schema of schemas) await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await pool.end();
  });

  it('make the same table: columns, primary key, check, expiry index', async () => {
    const sql = await readFile(MIGRATION, 'utf8');
    // The migration names no schema: run it with the search path set, as a tool would.
    await pool.query(`CREATE SCHEMA "${fromFile}"`);
    await pool.query(`BEGIN; SET LOCAL search_path TO "${fromFile}"; ${sql}; COMMIT;`);
    await createTable(pool, { tableName: TABLE, schema: fromCode });
    const file = await describeTable(pool, fromFile, TABLE);
    const code = await describeTable(pool, fromCode, TABLE);
    expect(code).toEqual(file);
    expect(code.columns.map((c) => c.column_name)).toEqual([
      'key',
      'status',
      'token',
      'lease_until',
      'expires_at',
      'fingerprint',
      'result',
    ]);
    expect(code.constraints.map((c) => c.definition)).toEqual([
      "CHECK ((status = ANY (ARRAY['IN_PROGRESS'::text, 'COMPLETED'::text])))",
      'PRIMARY KEY (key)',
    ]);
    expect(code.indexes).toEqual([
      {
        indexname: `${TABLE}_expires_at_idx`,
        definition: `CREATE INDEX ${TABLE}_expires_at_idx ON ${TABLE} USING btree (expires_at)`,
      },
      {
        indexname: `${TABLE}_pkey`,
        definition: `CREATE UNIQUE INDEX ${TABLE}_pkey ON ${TABLE} USING btree (key)`,
      },
    ]);
    // The store works on the migration's table as on its own.
    const store = new PostgresStore({ pool, tableName: TABLE, schema: fromFile });
    const outcome = await store.claim('k', {
      leaseMs: 1000,
      ttlMs: 60_000,
      now: Date.UTC(2031, 0, 1),
    });
    expect(outcome.kind).toBe('claimed');
  });

  it('is safe to call again, and from many instances at once', async () => {
    await Promise.all(
      Array.from({ length: 6 }, () => createTable(pool, { tableName: TABLE, schema: racing })),
    );
    await createTable(pool, { tableName: TABLE, schema: racing });
    expect(await describeTable(pool, racing, TABLE)).toEqual(
      await describeTable(pool, fromCode, TABLE),
    );
  });
});
