import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { createDeduper, ManualClock, type OncelyEvent, StoreError } from '@oncely/core';
import { describeWithServers } from '@oncely/test-support/servers';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresStore, TableNotFoundError } from '../src/index.js';
import { type FreshSchema, freshSchema, TABLE, testPool } from './support.js';

const T0 = Date.UTC(2031, 4, 1, 12);

/** A port nothing listens on: bound, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Runs `fn` inside a transaction of its own connection, held open until it returns. */
async function holding<T>(pool: pg.Pool, lock: string, values: unknown[], fn: () => Promise<T>) {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(lock, values);
    return await fn();
  } finally {
    await client.query('ROLLBACK');
    client.release();
  }
}

function errorOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

describeWithServers('PostgresStore under faults', () => {
  let fresh: FreshSchema;
  beforeAll(async () => {
    fresh = await freshSchema();
  });
  afterAll(() => fresh?.drop());
  const table = () => `"${fresh.schema}".${TABLE}`;

  it('answers a refused connection with a retryable StoreError naming the key, before the handler', async () => {
    const port = await closedPort();
    const pool = testPool({ connectionString: `postgres://postgres@127.0.0.1:${port}/test` });
    try {
      const store = new PostgresStore({ pool, tableName: TABLE });
      let ran = false;
      const error = await errorOf(
        createDeduper({ store, namespace: 'refused' }).run('k-1', () => {
          ran = true;
        }),
      );
      expect(error).toBeInstanceOf(StoreError);
      expect(error).toMatchObject({
        operation: 'claim',
        retryable: true,
        key: 'k-1',
        storeKey: 'refused#k-1',
      });
      expect((error as Error).message).toContain('ECONNREFUSED');
      expect(ran).toBe(false);
    } finally {
      await pool.end();
    }
  });

  describe.each([false, true])('a missing table (transactional: %s)', (transactional) => {
    it('fails with TableNotFoundError, not retryable, naming the table and how to create it', async () => {
      const store = new PostgresStore({
        pool: fresh.pool,
        tableName: 'missing',
        schema: fresh.schema,
      });
      let ran = false;
      const error = await errorOf(
        createDeduper({ store, namespace: 'orders', transactional }).run('k', (ctx) => {
          ran = true;
          if (transactional) store.transaction(ctx).query('SELECT 1');
        }),
      );
      expect(error).toBeInstanceOf(TableNotFoundError);
      expect(error).toMatchObject({
        retryable: false,
        operation: transactional ? 'commit' : 'claim',
        tableName: `"${fresh.schema}"."missing"`,
        key: 'k',
      });
      expect((error as Error).message).toContain('createTable');
      // Claim mode finds it missing before the handler; transactional mode at the commit.
      expect(ran).toBe(transactional);
    });
  });

  it('times a claim out behind a lock another connection holds: retryable, the key named, nothing run', async () => {
    const pool = testPool({ statement_timeout: 300 });
    try {
      const store = new PostgresStore({ pool, tableName: TABLE, schema: fresh.schema });
      const deduper = createDeduper({ store, namespace: 'locked' });
      const key = randomUUID();
      let ran = false;
      // The other connection's uncommitted row: our INSERT waits on it until the timeout.
      const error = await holding(
        fresh.pool,
        `INSERT INTO ${table()} (key, status, token, lease_until, expires_at) VALUES ($1, 'IN_PROGRESS', 'other', 0, 0)`,
        [`locked#${key}`],
        () =>
          errorOf(
            deduper.run(key, () => {
              ran = true;
            }),
          ),
      );
      expect(error).toBeInstanceOf(StoreError);
      expect(error).toMatchObject({ operation: 'claim', retryable: true, key });
      expect(((error as Error).cause as { code?: string }).code).toBe('57014');
      expect(ran).toBe(false);
      // The lock gone (rolled back), the next delivery claims and runs.
      expect((await deduper.run(key, () => 'ran')).status).toBe('processed');
    } finally {
      await pool.end();
    }
  });

  it('never acknowledges a run whose completion keeps timing out: the record stays IN_PROGRESS and is taken over', async () => {
    const pool = testPool({ statement_timeout: 200 });
    try {
      const store = new PostgresStore({ pool, tableName: TABLE, schema: fresh.schema });
      const clock = new ManualClock(T0);
      const events: OncelyEvent[] = [];
      const deduper = createDeduper({
        store,
        namespace: 'slow',
        clock,
        lease: '60s',
        onEvent: (event) => events.push(event),
      });
      const key = randomUUID();
      const storeKey = `slow#${key}`;
      let runs = 0;
      // While the handler runs, another connection locks the record's row, and keeps it
      // locked through every completion attempt (the first and 5 retries), then lets go.
      const locker = await fresh.pool.connect();
      const error = await errorOf(
        deduper.run(key, async () => {
          runs++;
          await locker.query('BEGIN');
          await locker.query(`SELECT 1 FROM ${table()} WHERE key = $1 FOR UPDATE`, [storeKey]);
          return 'effect done';
        }),
      );
      await locker.query('ROLLBACK');
      locker.release();
      expect(error).toBeInstanceOf(StoreError);
      expect(error).toMatchObject({ operation: 'complete', retryable: true, key, storeKey });
      expect(((error as Error).cause as { code?: string }).code).toBe('57014');
      const failures = events.filter((e) => e.type === 'store_error' && e.operation === 'complete');
      expect(failures.length).toBeGreaterThan(1); // it was retried before giving up
      // Not acknowledged, and not recorded as done: the claim is still IN_PROGRESS...
      expect(await deduper.get(key)).toMatchObject({ status: 'IN_PROGRESS' });
      // ...so after its lease the redelivery takes it over (reported) and completes it.
      clock.advance(60_001);
      expect(await deduper.run(key, () => 'again')).toMatchObject({ status: 'processed' });
      expect(events.some((e) => e.type === 'claimed' && e.takeover)).toBe(true);
      expect(runs).toBe(1);
    } finally {
      await pool.end();
    }
  });
});
