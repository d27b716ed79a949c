import { randomUUID } from 'node:crypto';
import { describeWithServers } from '@oncely/test-support/servers';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { PostgresStore, TableNotFoundError } from '../src/index.js';
import { countQueries, type FreshSchema, freshSchema, TABLE } from './support.js';

const T0 = Date.UTC(2031, 4, 1, 12);
const TTL = 60_000;

describeWithServers('PostgresStore.sweep', () => {
  let fresh: FreshSchema;
  beforeAll(async () => {
    fresh = await freshSchema();
  });
  afterAll(() => fresh?.drop());

  async function count(): Promise<number> {
    const { rows } = await fresh.pool.query(
      `SELECT count(*)::int AS n FROM "${fresh.schema}".${TABLE}`,
    );
    return rows[0]?.n ?? 0;
  }

  it('deletes expired records in chunks, leaves live ones, and answers the count', async () => {
    const store = fresh.store;
    const item = (now: number) => ({
      key: `sweep#${randomUUID()}`,
      leaseMs: 1000,
      ttlMs: TTL,
      now,
    });
    // 25 records whose window ended by T0 (claimed and completed ones), 5 still live.
    const old = await store.claimMany(Array.from({ length: 25 }, () => item(T0 - TTL - 5_000)));
    const live = await store.claimMany(Array.from({ length: 5 }, () => item(T0 - 1_000)));
    expect(
      [...old, ...live].every((o) => o.status === 'fulfilled' && o.value.kind === 'claimed'),
    ).toBe(true);
    const completed = old
      .slice(0, 10)
      .map((o) => (o.status === 'fulfilled' && o.value.kind === 'claimed' ? o.value : undefined));
    await store.completeMany(
      completed.map((c) => ({
        key: c?.record.key as string,
        token: c?.token as string,
        ttlMs: TTL,
        now: T0 - TTL - 4_000,
      })),
    );
    expect(await count()).toBe(30);

    const counter = countQueries(fresh.pool);
    const counting = new PostgresStore({
      pool: counter.pool,
      tableName: TABLE,
      schema: fresh.schema,
    });
    // Chunks of 10: 10, 10, 5; a short chunk ends the sweep.
    expect(await counting.sweep({ batchSize: 10, now: T0 })).toBe(25);
    expect(counter.sent).toEqual(['DELETE', 'DELETE', 'DELETE']);
    expect(await count()).toBe(5);
    expect(await counting.sweep({ batchSize: 10, now: T0 })).toBe(0);
    // The live ones go once their window has ended too.
    expect(await store.sweep({ now: T0 + TTL })).toBe(5);
  });

  it('stops after maxBatches, leaving the rest for the next run', async () => {
    const store = fresh.store;
    await store.claimMany(
      Array.from({ length: 12 }, () => ({
        key: `sweep#${randomUUID()}`,
        leaseMs: 1000,
        ttlMs: TTL,
        now: T0 - 2 * TTL,
      })),
    );
    expect(await store.sweep({ batchSize: 5, maxBatches: 2, now: T0 })).toBe(10);
    expect(await store.sweep({ batchSize: 5, now: T0 })).toBe(2);
  });

  it('skips a record a transaction holds, and takes it on the next run', async () => {
    const store = fresh.store;
    const [held] = await store.claimMany([
      { key: `sweep#${randomUUID()}`, leaseMs: 1000, ttlMs: TTL, now: T0 - 2 * TTL },
    ]);
    const key = held?.status === 'fulfilled' ? held.value.record.key : '';
    const client = await fresh.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(`SELECT 1 FROM "${fresh.schema}".${TABLE} WHERE key = $1 FOR UPDATE`, [
        key,
      ]);
      expect(await store.sweep({ now: T0 })).toBe(0);
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
    expect(await store.sweep({ now: T0 })).toBe(1);
  });

  it('refuses bad options and reports a missing table', async () => {
    await expect(fresh.store.sweep({ batchSize: 0 })).rejects.toMatchObject({
      option: 'batchSize',
    });
    const missing = new PostgresStore({
      pool: fresh.pool,
      tableName: 'missing',
      schema: fresh.schema,
    });
    await expect(missing.sweep()).rejects.toBeInstanceOf(TableNotFoundError);
  });
});
