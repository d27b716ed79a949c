import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toStoreKey } from '../keys.js';
import { expiresAtFor } from '../record.js';
import type { ClaimOutcome, DedupStore } from '../store.js';
import { describeBatchConformance } from './conformance-batch.js';

/** A store ready for the suite, and how to clean it up. */
export interface StoreUnderTest {
  readonly store: DedupStore;
  readonly teardown?: () => Promise<void> | void;
}

/** Makes the store once for the whole suite; keys are unique per test, so one table serves all. */
export type StoreFactory = () => StoreUnderTest | Promise<StoreUnderTest>;

/** What the store under test declares it can do beyond the required operations. */
export interface ConformanceOptions {
  /**
   * The store implements `claimMany`, `completeMany` and `releaseMany`: their tests
   * run (and fail, rather than skip, if an operation is missing).
   * @default false
   */
  readonly batch?: boolean;
  /**
   * The store implements `commit` (transactional mode): its test runs, and fails if
   * `commit` is missing. Without it the suite checks that the store has no `commit`, so a
   * store never goes untested by forgetting to declare it.
   * @default false
   */
  readonly transactional?: boolean;
  /**
   * Registers the store's own tests inside the suite, after the shared ones; `store()`
   * returns the store under test once the suite's `beforeAll` has made it. For what only
   * this store promises (an item layout, a limit), so it is tested next to the contract.
   * @default undefined
   */
  readonly extraTests?: (store: () => DedupStore) => void;
}

const LEASE = 30_000;
const TTL = 3_600_000;
// A fixed clock far from the real one: stores must use the caller's `now`, never their own.
const T0 = Date.UTC(2031, 4, 1, 12, 0, 0, 250);

function claimed(outcome: ClaimOutcome): Extract<ClaimOutcome, { kind: 'claimed' }> {
  expect(outcome.kind).toBe('claimed');
  return outcome as Extract<ClaimOutcome, { kind: 'claimed' }>;
}

/**
 * Registers the conformance tests for a {@link DedupStore}: claim, duplicate and
 * in-progress; expiry treated as absent; takeover after lease expiry; fencing of
 * complete, release and extend; one winner among parallel claims; result and
 * fingerprint round trips; the TTL written; long keys; and, when the store has
 * `commit`, the transactional outcomes; with `batch: true`, the batch operations; then
 * the store's own `extraTests`.
 */
export function describeStoreConformance(
  name: string,
  factory: StoreFactory,
  options: ConformanceOptions = {},
): void {
  describe(`${name} conforms to the DedupStore contract`, () => {
    let underTest: StoreUnderTest;
    let store: DedupStore;
    beforeAll(async () => {
      underTest = await factory();
      store = underTest.store;
    });
    afterAll(async () => {
      await underTest?.teardown?.();
    });
    const key = () => toStoreKey('conformance', randomUUID());
    const claim = (k: string, now = T0, fingerprint?: string) =>
      store.claim(k, { leaseMs: LEASE, ttlMs: TTL, now, ...(fingerprint ? { fingerprint } : {}) });

    it('claims an absent key with a fresh token and an IN_PROGRESS record', async () => {
      const k = key();
      const outcome = claimed(await claim(k));
      expect(outcome.token).toMatch(/\S{8,}/);
      expect(outcome.previous).toBeUndefined();
      expect(outcome.record).toMatchObject({
        key: k,
        status: 'IN_PROGRESS',
        token: outcome.token,
        leaseUntil: T0 + LEASE,
      });
      expect(outcome.record.expiresAt).toBe(expiresAtFor(T0, TTL));
      const stored = await store.get(k, { now: T0 });
      expect(stored).toMatchObject({
        status: 'IN_PROGRESS',
        token: outcome.token,
        leaseUntil: T0 + LEASE,
      });
    });

    it('reports a live claim as in progress with the time left on its lease', async () => {
      const k = key();
      const first = claimed(await claim(k));
      const second = await claim(k, T0 + 10_000);
      expect(second.kind).toBe('in_progress');
      if (second.kind !== 'in_progress') return;
      expect(second.retryAfterMs).toBe(LEASE - 10_000);
      expect(second.record.token).toBe(first.token);
    });

    it('reports a completed key as a duplicate, with its result and fingerprint', async () => {
      const k = key();
      const first = claimed(await claim(k, T0, 'fp-1'));
      const done = await store.complete(k, first.token, {
        ttlMs: TTL,
        now: T0 + 1000,
        result: '{"charged":42}',
      });
      expect(done.ok).toBe(true);
      const again = await claim(k, T0 + 2000, 'fp-1');
      expect(again.kind).toBe('duplicate');
      expect(again.record).toMatchObject({
        status: 'COMPLETED',
        result: '{"charged":42}',
        fingerprint: 'fp-1',
      });
    });

    it('writes the TTL from the completion time', async () => {
      const k = key();
      const first = claimed(await claim(k));
      await store.complete(k, first.token, { ttlMs: 7_200_000, now: T0 + 5000 });
      const stored = await store.get(k, { now: T0 + 5000 });
      expect(stored?.status).toBe('COMPLETED');
      expect(stored?.expiresAt).toBe(expiresAtFor(T0 + 5000, 7_200_000));
    });

    it('treats an expired completed record as absent', async () => {
      const k = key();
      const first = claimed(await claim(k));
      await store.complete(k, first.token, { ttlMs: TTL, now: T0 });
      const later = T0 + TTL + 1000;
      expect(await store.get(k, { now: later })).toBeUndefined();
      const again = claimed(await claim(k, later));
      expect(again.previous).toBeUndefined();
      expect(again.token).not.toBe(first.token);
    });

    it('takes over an IN_PROGRESS record whose lease expired, reporting the previous owner', async () => {
      const k = key();
      const first = claimed(await claim(k));
      const takeover = claimed(await claim(k, T0 + LEASE + 1));
      expect(takeover.token).not.toBe(first.token);
      expect(takeover.previous?.token).toBe(first.token);
      expect(takeover.record.leaseUntil).toBe(T0 + LEASE + 1 + LEASE);
    });

    it('fences complete, release and extend by the token: a stale owner changes nothing', async () => {
      const k = key();
      const stale = claimed(await claim(k));
      const owner = claimed(await claim(k, T0 + LEASE + 1));
      const now = T0 + LEASE + 2;
      const complete = await store.complete(k, stale.token, { ttlMs: TTL, now, result: 'stale' });
      const release = await store.release(k, stale.token);
      const extend = await store.extendLease(k, stale.token, { leaseMs: LEASE * 10, now });
      for (const outcome of [complete, release, extend]) {
        expect(outcome.ok).toBe(false);
        if (!outcome.ok) expect(outcome.reason).toBe('lease_lost');
      }
      const current = await store.get(k, { now });
      expect(current).toMatchObject({
        status: 'IN_PROGRESS',
        token: owner.token,
        leaseUntil: owner.record.leaseUntil,
      });
      expect(current?.result).toBeUndefined();
      expect((await store.complete(k, owner.token, { ttlMs: TTL, now })).ok).toBe(true);
    });

    it('fails a complete for a key that was never claimed or was released', async () => {
      const k = key();
      expect((await store.complete(k, 'no-such-token', { ttlMs: TTL, now: T0 })).ok).toBe(false);
      const first = claimed(await claim(k));
      expect((await store.release(k, first.token)).ok).toBe(true);
      expect(await store.get(k, { now: T0 })).toBeUndefined();
      expect((await store.complete(k, first.token, { ttlMs: TTL, now: T0 })).ok).toBe(false);
      expect(await store.get(k, { now: T0 })).toBeUndefined();
    });

    it('lets a released key be claimed again at once', async () => {
      const k = key();
      const first = claimed(await claim(k));
      await store.release(k, first.token);
      const again = claimed(await claim(k, T0 + 1));
      expect(again.token).not.toBe(first.token);
    });

    it('extends a live lease so a later claim still sees it in progress', async () => {
      const k = key();
      const first = claimed(await claim(k));
      const extended = await store.extendLease(k, first.token, {
        leaseMs: LEASE,
        now: T0 + LEASE - 1,
      });
      expect(extended.ok).toBe(true);
      const later = await claim(k, T0 + LEASE + 1);
      expect(later.kind).toBe('in_progress');
      expect((await store.get(k, { now: T0 }))?.leaseUntil).toBe(T0 + 2 * LEASE - 1);
    });

    it('never extends a completed record back into progress', async () => {
      const k = key();
      const first = claimed(await claim(k));
      await store.complete(k, first.token, { ttlMs: TTL, now: T0 });
      const extended = await store.extendLease(k, first.token, { leaseMs: LEASE, now: T0 + 1 });
      expect(extended.ok).toBe(false);
      expect((await store.get(k, { now: T0 + 1 }))?.status).toBe('COMPLETED');
    });

    it('gives exactly one winner among parallel claims of one key', async () => {
      const k = key();
      const outcomes = await Promise.all(Array.from({ length: 16 }, () => claim(k)));
      expect(outcomes.filter((o) => o.kind === 'claimed')).toHaveLength(1);
      expect(outcomes.filter((o) => o.kind === 'in_progress')).toHaveLength(15);
    });

    it('gives exactly one winner among parallel takeovers of an expired lease', async () => {
      const k = key();
      claimed(await claim(k));
      const outcomes = await Promise.all(Array.from({ length: 8 }, () => claim(k, T0 + LEASE + 5)));
      expect(outcomes.filter((o) => o.kind === 'claimed')).toHaveLength(1);
    });

    it('keeps results of 100 KB and unicode intact', async () => {
      const k = key();
      const first = claimed(await claim(k));
      const result = JSON.stringify({ text: 'ünïcødé ✓ 🚀'.repeat(10), pad: 'x'.repeat(100_000) });
      await store.complete(k, first.token, { ttlMs: TTL, now: T0, result });
      const again = await claim(k, T0 + 1);
      expect(again.kind).toBe('duplicate');
      expect(again.record.result).toBe(result);
    });

    it('accepts the longest plain keys and hashed keys', async () => {
      const longest = `conformance#${'é'.repeat((1024 - 'conformance#'.length) / 2)}`;
      const hashed = toStoreKey('conformance', `${randomUUID()}${'k'.repeat(5000)}`);
      for (const k of [longest, hashed]) {
        await store.delete(k);
        const first = claimed(await claim(k));
        await store.complete(k, first.token, { ttlMs: TTL, now: T0 });
        expect((await claim(k, T0 + 1)).kind).toBe('duplicate');
      }
    });

    it('deletes a record unconditionally and reads expired records as absent', async () => {
      const k = key();
      claimed(await claim(k));
      await store.delete(k);
      expect(await store.get(k, { now: T0 })).toBeUndefined();
      await store.delete(k);
    });

    if (options.batch) describe('batch operations', () => describeBatchConformance(() => store));

    if (!options.transactional) {
      it('has no commit(), as declared (pass transactional: true to test one)', () => {
        expect(store.commit).toBeUndefined();
      });
    }

    if (options.transactional) {
      it('commits atomically (transactional mode)', async () => {
        if (typeof store.commit !== 'function')
          throw new Error('declared transactional, but has no commit()');
        const k = key();
        const first = await store.commit(k, {
          ttlMs: TTL,
          now: T0,
          result: 'r1',
          fingerprint: 'f1',
          effects: [],
        });
        expect(first.kind).toBe('committed');
        const second = await store.commit(k, {
          ttlMs: TTL,
          now: T0 + 1,
          result: 'r2',
          effects: [],
        });
        expect(second.kind).toBe('duplicate');
        expect(second.record).toMatchObject({
          status: 'COMPLETED',
          result: 'r1',
          fingerprint: 'f1',
        });
        const busy = key();
        claimed(await claim(busy));
        expect((await store.commit(busy, { ttlMs: TTL, now: T0 + 1, effects: [] })).kind).toBe(
          'in_progress',
        );
      });
    }

    options.extraTests?.(() => store);
  });
}
