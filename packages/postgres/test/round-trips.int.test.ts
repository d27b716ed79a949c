import { randomUUID } from 'node:crypto';
import { createDeduper, ManualClock } from '@oncely/core';
import { describeWithServers } from '@oncely/test-support/servers';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PostgresStore } from '../src/index.js';
import {
  countQueries,
  type FreshSchema,
  freshSchema,
  type QueryCounter,
  TABLE,
} from './support.js';

const T0 = Date.UTC(2031, 4, 1, 12);
const LEASE = 30_000;
const TTL = 3_600_000;

// Round trips are the cost of a store: these pin how many queries each operation sends,
// so a change that adds a read (or a statement per key) fails here.
describeWithServers('PostgresStore round trips', () => {
  let fresh: FreshSchema;
  let counter: QueryCounter;
  let store: PostgresStore;
  beforeAll(async () => {
    fresh = await freshSchema();
    counter = countQueries(fresh.pool);
    store = new PostgresStore({ pool: counter.pool, tableName: TABLE, schema: fresh.schema });
  });
  afterAll(() => fresh?.drop());
  beforeEach(() => counter.reset());
  const key = () => `rt#${randomUUID()}`;
  const claimOptions = (now = T0) => ({ leaseMs: LEASE, ttlMs: TTL, now });

  async function claimed(k: string, now = T0): Promise<string> {
    const outcome = await store.claim(k, claimOptions(now));
    if (outcome.kind !== 'claimed') throw new Error(`expected a claim, got ${outcome.kind}`);
    return outcome.token;
  }

  it('a claim, its completion, a duplicate and a live claim cost one query each', async () => {
    const k = key();
    const token = await claimed(k);
    expect(counter.sent).toEqual(['WITH']);
    await store.complete(k, token, { ttlMs: TTL, now: T0 + 1, result: '"r"' });
    const duplicate = await store.claim(k, claimOptions(T0 + 2));
    expect(duplicate.kind).toBe('duplicate');
    const busy = key();
    await claimed(busy);
    counter.reset();
    expect((await store.claim(busy, claimOptions(T0 + 3))).kind).toBe('in_progress');
    expect(counter.sent).toEqual(['WITH']);
  });

  it('a takeover, a release, an extension, a get and a delete cost one query each', async () => {
    const k = key();
    await claimed(k);
    counter.reset();
    const token = await claimed(k, T0 + LEASE + 1);
    await store.extendLease(k, token, { leaseMs: LEASE, now: T0 + LEASE + 2 });
    await store.get(k, { now: T0 + LEASE + 3 });
    await store.release(k, token);
    await store.delete(k);
    expect(counter.sent).toEqual(['WITH', 'WITH', 'SELECT', 'WITH', 'DELETE']);
  });

  it('claimMany, completeMany and releaseMany cost one query per batch, mixed outcomes and all', async () => {
    const done = key();
    const busy = key();
    await store.complete(done, await claimed(done), { ttlMs: TTL, now: T0 });
    await claimed(busy);
    const fresh = Array.from({ length: 40 }, key);
    counter.reset();
    const claims = await store.claimMany(
      [...fresh, done, busy, fresh[0] as string].map((k) => ({ key: k, ...claimOptions(T0 + 1) })),
    );
    expect(claims.map((c) => (c.status === 'fulfilled' ? c.value.kind : 'rejected'))).toEqual([
      ...fresh.map(() => 'claimed'),
      'duplicate',
      'in_progress',
      'in_progress',
    ]);
    const tokens = claims
      .slice(0, 40)
      .map((c) => (c.status === 'fulfilled' && c.value.kind === 'claimed' ? c.value.token : ''));
    await store.completeMany(
      fresh
        .slice(0, 20)
        .map((k, i) => ({ key: k, token: tokens[i] as string, ttlMs: TTL, now: T0 + 2 })),
    );
    await store.releaseMany(
      fresh.slice(20).map((k, i) => ({ key: k, token: tokens[20 + i] as string })),
    );
    expect(counter.sent).toEqual(['WITH', 'WITH', 'WITH']);
  });

  describe('through a deduper', () => {
    it('a new message costs 2 queries, a duplicate 1, and 10 messages at once 2 in all', async () => {
      const clock = new ManualClock(T0);
      const deduper = createDeduper({ store, namespace: 'rt', clock, localCache: false });
      const k = randomUUID();
      await deduper.run(k, () => 'done');
      expect(counter.sent).toEqual(['WITH', 'WITH']);
      counter.reset();
      expect((await deduper.run(k, () => 'again')).status).toBe('duplicate');
      expect(counter.sent).toEqual(['WITH']);
      counter.reset();
      const outcomes = await Promise.all(
        Array.from({ length: 10 }, () => deduper.run(randomUUID(), () => 'batched')),
      );
      expect(outcomes.every((o) => o.status === 'processed')).toBe(true);
      // One claimMany, then one completeMany: the engine coalesces what arrives together.
      expect(counter.sent).toEqual(['WITH', 'WITH']);
    });

    it('transactional: a commit with 2 effects costs 5 queries on one connection, a duplicate 3, no effects 1', async () => {
      const clock = new ManualClock(T0);
      const deduper = createDeduper({ store, namespace: 'rt-tx', clock, transactional: true });
      const k = randomUUID();
      const effects = (ctx: Parameters<typeof store.transaction>[0]) =>
        store.transaction(ctx).query('SELECT 1').query('SELECT 2');
      await deduper.run(k, effects);
      expect(counter.sent).toEqual(['BEGIN', 'WITH', 'SELECT', 'SELECT', 'COMMIT']);
      counter.reset();
      expect((await deduper.run(k, effects)).status).toBe('duplicate');
      expect(counter.sent).toEqual(['BEGIN', 'WITH', 'ROLLBACK']);
      counter.reset();
      await deduper.run(randomUUID(), () => 'no effects');
      expect(counter.sent).toEqual(['WITH']);
    });
  });
});
