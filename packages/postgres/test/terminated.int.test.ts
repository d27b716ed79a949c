import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { createDeduper, ManualClock, type OncelyEvent, StoreError } from '@oncely/core';
import { describeWithServers } from '@oncely/test-support/servers';
import type pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { PostgresStore } from '../src/index.js';
import { deferred, until } from './deferred.js';
import { type FreshSchema, freshSchema, TABLE, testPool } from './support.js';

const KEYS = 20;
const LEASE_MS = 30_000;

// Backends terminated (pg_terminate_backend) while the store's statements are in flight:
// a lock another connection holds on the table keeps them waiting, and every waiting
// backend of the store's pool is killed. A run either resolves, and then its record is
// COMPLETED, or rejects with a StoreError naming its key and is delivered again; a
// handler runs again only after a reported takeover.
describeWithServers('PostgresStore with backends terminated mid-statement', () => {
  let fresh: FreshSchema;
  let pool: pg.Pool;
  const app = `oncely-kill-${randomUUID().slice(0, 8)}`;
  beforeAll(async () => {
    fresh = await freshSchema();
    pool = testPool({ application_name: app, max: 4 });
  });
  afterAll(async () => {
    await pool?.end();
    await fresh?.drop();
  });
  const table = () => `"${fresh.schema}".${TABLE}`;

  /** The store pool's sessions that wait on a lock now. */
  async function waiting(): Promise<number> {
    const { rows } = await fresh.pool.query(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'`,
      [app],
    );
    return rows[0]?.n ?? 0;
  }

  /** Terminates the store pool's sessions that wait on a lock; answers how many. */
  async function killWaiting(): Promise<number> {
    const { rows } = await fresh.pool.query(
      `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'`,
      [app],
    );
    return rows[0]?.n ?? 0;
  }

  /** Holds a lock that blocks every write to the table (reads go on) until `release`. */
  async function lockTable(): Promise<{ release(): Promise<void> }> {
    const client = await fresh.pool.connect();
    await client.query('BEGIN');
    await client.query(`LOCK TABLE ${table()} IN EXCLUSIVE MODE`);
    return {
      async release() {
        await client.query('ROLLBACK');
        client.release();
      },
    };
  }

  /** Kills the store's waiting backends again and again until `runs` settle. */
  async function killUntilSettled<T>(
    runs: Promise<T>[],
  ): Promise<{ settled: PromiseSettledResult<T>[]; kills: number }> {
    let settled: PromiseSettledResult<T>[] | undefined;
    const all = Promise.allSettled(runs).then((results) => {
      settled = results;
    });
    let kills = 0;
    for (let poll = 0; settled === undefined && poll < 1000; poll++) {
      kills += await killWaiting();
      await sleep(10);
    }
    await all;
    return { settled: settled ?? [], kills };
  }

  async function statuses(keys: readonly string[]): Promise<Map<string, string>> {
    const { rows } = await fresh.pool.query(
      `SELECT key, status FROM ${table()} WHERE key = ANY($1::text[])`,
      [keys.map((key) => `kill#${key}`)],
    );
    return new Map(
      rows.map((row) => [(row.key as string).slice('kill#'.length), row.status as string]),
    );
  }

  it('acknowledges nothing without its COMPLETED record, and reports every repeat', async () => {
    const store = new PostgresStore({ pool, tableName: TABLE, schema: fresh.schema });
    const clock = new ManualClock(Date.UTC(2031, 0, 1));
    const events: OncelyEvent[] = [];
    const deduper = createDeduper({
      store,
      namespace: 'kill',
      clock,
      lease: LEASE_MS,
      localCache: false,
      onEvent: (event) => events.push(event),
    });
    const effects = new Map<string, number>();
    const handler = (key: string) => async () => {
      effects.set(key, (effects.get(key) ?? 0) + 1);
      return key;
    };
    const expectRejectedWithKey = (
      settled: PromiseSettledResult<unknown>[],
      keys: string[],
      operation: string,
    ) => {
      settled.forEach((outcome, index) => {
        expect(outcome.status).toBe('rejected');
        const reason = (outcome as PromiseRejectedResult).reason;
        expect(reason).toBeInstanceOf(StoreError);
        expect(reason).toMatchObject({ key: keys[index], operation, retryable: true });
      });
    };

    // 1. Claims in flight: the batch's claim statement waits on the lock and is killed.
    const first = Array.from({ length: KEYS }, () => randomUUID());
    let lock = await lockTable();
    const claims = first.map((key) => deduper.run(key, handler(key)));
    await until(async () => (await waiting()) > 0);
    const claimed = await killUntilSettled(claims);
    await lock.release();
    expect(claimed.kills).toBeGreaterThan(0);
    expectRejectedWithKey(claimed.settled, first, 'claim');
    expect(effects.size).toBe(0);
    expect((await statuses(first)).size).toBe(0);

    // 2. Completions in flight: every handler has run, then the completions wait and are
    // killed, retried by the engine and killed again, until it gives up.
    const second = Array.from({ length: KEYS }, () => randomUUID());
    const allRan = deferred();
    const proceed = deferred();
    let ran = 0;
    const completions = second.map((key) =>
      deduper.run(key, async () => {
        await handler(key)();
        if (++ran === KEYS) allRan.resolve();
        await proceed.promise;
        return key;
      }),
    );
    await allRan.promise;
    lock = await lockTable();
    proceed.resolve();
    const completed = await killUntilSettled(completions);
    await lock.release();
    expect(completed.kills).toBeGreaterThan(1);
    expectRejectedWithKey(completed.settled, second, 'complete');
    const held = await statuses(second);
    expect([...held.values()]).toEqual(second.map(() => 'IN_PROGRESS'));

    // 3. Redelivered after the lease, on healthy connections: everything completes; the
    // second group's handlers run again, each after a reported takeover.
    clock.advance(LEASE_MS + 1);
    const again = await Promise.all(
      [...first, ...second].map((key) => deduper.run(key, handler(key))),
    );
    expect(again.every((outcome) => outcome.status === 'processed')).toBe(true);
    const done = await statuses([...first, ...second]);
    expect([...done.values()].every((status) => status === 'COMPLETED')).toBe(true);
    expect(done.size).toBe(2 * KEYS);
    for (const [key, runs] of effects) {
      const takeovers = events.filter((e) => e.type === 'claimed' && e.takeover && e.key === key);
      expect(runs - 1).toBe(takeovers.length);
    }
    expect(second.every((key) => effects.get(key) === 2)).toBe(true);
    expect(first.every((key) => effects.get(key) === 1)).toBe(true);
  });
});
