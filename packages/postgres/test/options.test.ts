import { InvalidOptionError } from '@oncely/core';
import { describe, expect, it } from 'vitest';
import {
  createTable,
  POSTGRES_STORE_DEFAULTS,
  PostgresStore,
  type PostgresStoreOptions,
} from '../src/index.js';

const pool = {
  query: async () => ({ rows: [] }),
  connect: async () => ({ query: async () => ({ rows: [] }), release: () => {} }),
};

function refusal(options: unknown): InvalidOptionError {
  try {
    new PostgresStore(options as PostgresStoreOptions);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidOptionError);
    return error as InvalidOptionError;
  }
  throw new Error('the options were accepted');
}

describe('PostgresStore options', () => {
  it('names itself after the schema and table, and keeps both as given', () => {
    expect(new PostgresStore({ pool, tableName: 'oncely_dedup' }).name).toBe(
      'postgres:oncely_dedup',
    );
    const store = new PostgresStore({ pool, tableName: 'Dedup', schema: 'App' });
    expect(store).toMatchObject({
      name: 'postgres:App.Dedup',
      tableName: 'Dedup',
      schema: 'App',
      pool,
    });
    expect(POSTGRES_STORE_DEFAULTS.schema).toBeUndefined();
  });

  it.each([
    ['options', undefined, 'expected an object, got undefined'],
    ['options', 'postgres://x', 'expected an object, got "postgres://x"'],
    [
      'pool',
      { tableName: 't' },
      'expected a pg Pool (an object with query() and connect()), got undefined',
    ],
    [
      'pool',
      { tableName: 't', pool: { query() {} } },
      'expected a pg Pool (an object with query() and connect()), got {}',
    ],
    ['tableName', { pool }, 'expected a non-empty string, got undefined'],
    ['tableName', { pool, tableName: '' }, 'expected a non-empty string, got ""'],
    ['tableName', { pool, tableName: 'a\0b' }, 'expected no NUL character, got "a\\u0000b"'],
    [
      'tableName',
      { pool, tableName: 'x'.repeat(64) },
      'expected at most 63 bytes (PostgreSQL cuts longer names), got 64 bytes',
    ],
    ['schema', { pool, tableName: 't', schema: 42 }, 'expected a non-empty string, got 42'],
  ])('refuses a bad %s, naming it and showing the value', (option, options, message) => {
    const error = refusal(options);
    expect(error.option).toBe(option);
    expect(error.message).toContain(message);
  });

  it('counts identifier bytes, not characters', () => {
    expect(refusal({ pool, tableName: 'é'.repeat(32) }).message).toContain('got 64 bytes');
    expect(new PostgresStore({ pool, tableName: 'é'.repeat(31) }).tableName).toHaveLength(31);
  });

  it('createTable checks the same options before any query', async () => {
    let queried = false;
    const counting = {
      query: async () => {
        queried = true;
        return { rows: [] };
      },
    };
    await expect(createTable(counting, { tableName: '' })).rejects.toMatchObject({
      option: 'tableName',
    });
    await expect(createTable({} as never, { tableName: 't' })).rejects.toMatchObject({
      option: 'pool',
    });
    expect(queried).toBe(false);
  });

  it('quotes names in the SQL it sends, so any name addresses its own table', async () => {
    const sent: string[] = [];
    const recording = {
      query: async (text: string) => {
        sent.push(text);
        return { rows: [] };
      },
    };
    await createTable(recording, { tableName: 'my"table', schema: 'Sch' });
    expect(sent[0]).toContain('CREATE SCHEMA IF NOT EXISTS "Sch"');
    expect(sent[0]).toContain('CREATE TABLE IF NOT EXISTS "Sch"."my""table"');
    expect(sent[0]).toContain(
      'CREATE INDEX IF NOT EXISTS "my""table_expires_at_idx" ON "Sch"."my""table" (expires_at)',
    );
  });
});
