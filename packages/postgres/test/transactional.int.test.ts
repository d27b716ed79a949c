import { randomUUID } from 'node:crypto';
import { createDeduper, InProgressError, type RunContext, StoreError } from '@oncely/core';
import { describeWithServers } from '@oncely/test-support/servers';
import type pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { EffectFailedError, InvalidEffectError, PostgresStore } from '../src/index.js';
import { deferred, until } from './deferred.js';
import { type FreshSchema, freshSchema, TABLE, testPool } from './support.js';

// Transactional mode on real connections: the handler's SQL and the COMPLETED record
// commit in one transaction; a concurrent copy blocks on the record's row lock and then
// finds the key completed; a failure or a killed connection leaves neither behind.
describeWithServers('PostgresStore transactional mode', () => {
  let fresh: FreshSchema;
  let ledger: string;
  let accounts: string;
  /** Stores of their own (own pools, named) play two workers on two connections. */
  const workers: { pool: pg.Pool; store: PostgresStore<pg.PoolClient>; app: string }[] = [];

  beforeAll(async () => {
    fresh = await freshSchema();
    ledger = `"${fresh.schema}".ledger`;
    accounts = `"${fresh.schema}".accounts`;
    await fresh.pool.query(
      `CREATE TABLE ${ledger} (id text PRIMARY KEY, account text NOT NULL, amount int NOT NULL);
       CREATE TABLE ${accounts} (id text PRIMARY KEY, balance int NOT NULL)`,
    );
    for (const name of ['a', 'b']) {
      const app = `oncely-tx-${name}-${randomUUID().slice(0, 8)}`;
      const pool = testPool({ application_name: app });
      workers.push({
        pool,
        app,
        store: new PostgresStore({ pool, tableName: TABLE, schema: fresh.schema }),
      });
    }
  });
  afterAll(async () => {
    await Promise.all(workers.map((worker) => worker.pool.end()));
    await fresh?.drop();
  });

  const worker = (index: number) => {
    const found = workers[index];
    if (!found) throw new Error(`no worker #${index}`);
    return found;
  };
  const deduper = (index = 0) =>
    createDeduper({
      store: worker(index).store,
      namespace: 'ledger',
      transactional: true,
      storeResult: true,
    });

  /** The handler's effects: a ledger row for this attempt and a balance increment. */
  function book(ctx: RunContext, account: string, attempt: string, amount: number, index = 0) {
    return worker(index)
      .store.transaction(ctx)
      .query(`INSERT INTO ${ledger} (id, account, amount) VALUES ($1, $2, $3)`, [
        attempt,
        account,
        amount,
      ])
      .run(async (client) => {
        await client.query(
          `INSERT INTO ${accounts} (id, balance) VALUES ($1, $2)
           ON CONFLICT (id) DO UPDATE SET balance = ${accounts}.balance + EXCLUDED.balance`,
          [account, amount],
        );
      });
  }

  async function entries(account: string): Promise<string[]> {
    const { rows } = await fresh.pool.query(
      `SELECT id FROM ${ledger} WHERE account = $1 ORDER BY id`,
      [account],
    );
    return rows.map((row) => row.id as string);
  }

  async function balance(account: string): Promise<number> {
    const { rows } = await fresh.pool.query(`SELECT balance FROM ${accounts} WHERE id = $1`, [
      account,
    ]);
    return rows[0]?.balance ?? 0;
  }

  /** How many of `app`'s sessions wait on a lock right now. */
  async function waitingOnLock(app: string): Promise<number> {
    const { rows } = await fresh.pool.query(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'`,
      [app],
    );
    return rows[0]?.n ?? 0;
  }

  it('commits the effects and the record together', async () => {
    const key = randomUUID();
    const account = randomUUID();
    const outcome = await deduper().run(key, (ctx) => {
      book(ctx, account, `${key}-1`, 25);
      return { booked: 25 };
    });
    expect(outcome).toMatchObject({ status: 'processed', result: { booked: 25 } });
    expect(await entries(account)).toEqual([`${key}-1`]);
    expect(await balance(account)).toBe(25);
    expect(await deduper().get(key)).toMatchObject({
      status: 'COMPLETED',
      result: '{"booked":25}',
    });
  });

  it('runs none of a duplicate delivery’s effects and replays the first result', async () => {
    const key = randomUUID();
    const account = randomUUID();
    await deduper().run(key, (ctx) => {
      book(ctx, account, `${key}-1`, 10);
      return 'first';
    });
    let ran = false;
    const again = await deduper().run(key, (ctx) => {
      book(ctx, account, `${key}-2`, 10).run(() => {
        ran = true;
      });
      return 'second';
    });
    expect(again).toMatchObject({ status: 'duplicate', result: 'first' });
    expect(ran).toBe(false);
    expect(await entries(account)).toEqual([`${key}-1`]);
    expect(await balance(account)).toBe(10);
  });

  /**
   * Delivery `a` on worker 0, whose last effect stops inside the open transaction (holding
   * the record's row lock) until `finish`, and a copy `b` on worker 1; resolves once the
   * copy's first statement waits on that lock. `fail` makes `a`'s effect throw when let go.
   */
  async function copyWaitingBehind(key: string, account: string, fail = false) {
    const inside = deferred();
    const finish = deferred();
    let copyRan = false;
    const first = deduper(0).run(key, (ctx) => {
      book(ctx, account, `${key}-a`, 7, 0).run(async () => {
        inside.resolve();
        await finish.promise;
        if (fail) throw new Error('the card was declined');
      });
      return 'a';
    });
    await inside.promise;
    const copy = deduper(1).run(key, (ctx) => {
      book(ctx, account, `${key}-b`, 7, 1).run(() => {
        copyRan = true;
      });
      return 'b';
    });
    await until(async () => (await waitingOnLock(worker(1).app)) === 1);
    return { first, copy, finish: () => finish.resolve(), copyRan: () => copyRan };
  }

  it('makes a concurrent copy on another connection wait on the record’s row, then answer duplicate', async () => {
    const key = randomUUID();
    const account = randomUUID();
    const race = await copyWaitingBehind(key, account);
    expect(await entries(account)).toEqual([]);
    race.finish();
    expect(await race.first).toMatchObject({ status: 'processed', result: 'a' });
    expect(await race.copy).toMatchObject({ status: 'duplicate', result: 'a' });
    expect(race.copyRan()).toBe(false);
    expect(await entries(account)).toEqual([`${key}-a`]);
    expect(await balance(account)).toBe(7);
  });

  it('lets the waiting copy go ahead when the first transaction rolls back', async () => {
    const key = randomUUID();
    const account = randomUUID();
    const race = await copyWaitingBehind(key, account, true);
    race.finish();
    const error = await race.first.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EffectFailedError);
    expect(error).toMatchObject({ index: 2, retryable: false, storeKey: `ledger#${key}` });
    expect((error as Error).cause).toMatchObject({ message: 'the card was declined' });
    expect(await race.copy).toMatchObject({ status: 'processed', result: 'b' });
    expect(race.copyRan()).toBe(true);
    expect(await entries(account)).toEqual([`${key}-b`]);
    expect(await balance(account)).toBe(7);
  });

  it('leaves neither effect nor record when the connection is killed mid-transaction', async () => {
    const key = randomUUID();
    const account = randomUUID();
    const pid = deferred<number>();
    const killed = deferred();
    const run = deduper().run(key, (ctx) => {
      book(ctx, account, `${key}-1`, 5).run(async (client) => {
        const { rows } = await client.query('SELECT pg_backend_pid() AS pid');
        pid.resolve(rows[0].pid);
        await killed.promise;
        await client.query('SELECT 1'); // the connection is gone by now
      });
    });
    const backend = await pid.promise;
    // Both effects ran inside the open transaction: the ledger row exists, uncommitted.
    const { rows } = await fresh.pool.query('SELECT pg_terminate_backend($1) AS done', [backend]);
    expect(rows[0]?.done).toBe(true);
    killed.resolve();
    const error = await run.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect(error).toMatchObject({
      operation: 'commit',
      retryable: true,
      key,
      storeKey: `ledger#${key}`,
    });
    expect(await entries(account)).toEqual([]);
    expect(await balance(account)).toBe(0);
    expect(await deduper().get(key)).toBeUndefined();
    // The redelivery runs once, on a fresh connection from the same pool.
    expect((await deduper().run(key, (ctx) => book(ctx, account, `${key}-2`, 5))).status).toBe(
      'processed',
    );
    expect(await entries(account)).toEqual([`${key}-2`]);
  });

  it('writes nothing when the handler throws after adding effects', async () => {
    const key = randomUUID();
    const account = randomUUID();
    const failure = new Error('handler failed');
    await expect(
      deduper().run(key, (ctx) => {
        book(ctx, account, `${key}-1`, 1);
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(await entries(account)).toEqual([]);
    expect(await deduper().get(key)).toBeUndefined();
  });

  it('fails with the effect’s own error when its SQL is refused, writing nothing', async () => {
    const key = randomUUID();
    const account = randomUUID();
    await deduper().run(randomUUID(), (ctx) => book(ctx, account, `${key}-taken`, 1));
    const error = await deduper()
      .run(key, (ctx) => {
        book(ctx, account, `${key}-new`, 2);
        book(ctx, account, `${key}-taken`, 2); // the ledger's primary key refuses it
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EffectFailedError);
    expect(error).toMatchObject({ index: 2, retryable: false });
    expect((error as Error).cause).toMatchObject({ code: '23505' });
    expect(await entries(account)).toEqual([`${key}-taken`]);
    expect(await balance(account)).toBe(1);
    expect(await deduper().get(key)).toBeUndefined();
  });

  it('answers in progress, running nothing, while a claim-mode delivery holds the key', async () => {
    const key = randomUUID();
    const account = randomUUID();
    const claimMode = createDeduper({ store: fresh.store, namespace: 'ledger' });
    const holding = deferred();
    const release = deferred();
    const owned = claimMode.run(key, async () => {
      holding.resolve();
      await release.promise;
    });
    await holding.promise;
    const error = await deduper()
      .run(key, (ctx) => book(ctx, account, `${key}-t`, 3))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InProgressError);
    expect(await entries(account)).toEqual([]);
    release.resolve();
    await owned;
  });

  it('refuses effects it did not make, before any query', async () => {
    const key = randomUUID();
    const error = await deduper()
      .run(key, (ctx) => ctx.addEffect({ Put: { TableName: 'not-postgres' } }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidEffectError);
    expect(error).toMatchObject({ index: 0, retryable: false, operation: 'commit' });
    expect(await deduper().get(key)).toBeUndefined();
  });
});
