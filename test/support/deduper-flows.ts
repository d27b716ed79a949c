/**
 * The deduper's flows over a real store, end to end: a new key processed once and its
 * result replayed, a concurrent delivery told the key is in progress, a handler error
 * releasing the key, a takeover after the lease and the stale worker's lost lease, an
 * extended lease, a fingerprint mismatch, a hashed long key. Every store's tests run it,
 * so "works with the deduper" means the same for each; the contract itself is
 * `describeStoreConformance`.
 *
 * @example
 * import { describeDeduperFlows } from '@oncely/test-support/deduper-flows';
 *
 * describeWithServers('MyStore', () => {
 *   describeDeduperFlows('MyStore', () => store);
 * });
 */
import { randomUUID } from 'node:crypto';
import {
  createDeduper,
  type DeduperOptions,
  type DedupStore,
  InProgressError,
  LeaseLostError,
  ManualClock,
  type OncelyEvent,
} from '@oncely/core';
import { describe, expect, it } from 'vitest';
import { gate } from './gate.js';

/** Registers the flows on the store `store()` returns (called in each test, after the suite's hooks). */
export function describeDeduperFlows(name: string, store: () => DedupStore): void {
  describe(`createDeduper with ${name}, end to end`, () => {
    const deduper = (options: Partial<DeduperOptions> = {}) =>
      createDeduper({ store: store(), namespace: 'orders', storeResult: true, ...options });

    it('processes a new key once and replays its result to a duplicate', async () => {
      const key = randomUUID();
      let runs = 0;
      const handler = () => {
        runs++;
        return { orderId: key, total: 99.5 };
      };
      const first = await deduper().run(key, handler);
      const second = await deduper().run(key, handler);
      expect(first).toMatchObject({ status: 'processed', result: { orderId: key, total: 99.5 } });
      expect(second).toMatchObject({ status: 'duplicate', result: { orderId: key, total: 99.5 } });
      expect(second.storeKey).toBe(`orders#${key}`);
      expect(runs).toBe(1);
      expect(await deduper().get(key)).toMatchObject({ status: 'COMPLETED' });
    });

    it('tells a concurrent delivery that the key is in progress, with the time left', async () => {
      const clock = new ManualClock(Date.UTC(2030, 0, 1));
      const d = deduper({ clock, lease: '30s' });
      const key = randomUUID();
      const owner = gate();
      const running = d.run(key, () => owner.handler('first'));
      await owner.running;
      clock.advance(10_000);
      const error = await d.run(key, () => 'second').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InProgressError);
      expect((error as InProgressError).retryAfterMs).toBe(20_000);
      owner.open();
      expect(await running).toMatchObject({ status: 'processed', result: 'first' });
    });

    it('releases the key when the handler throws, so the next delivery runs', async () => {
      const key = randomUUID();
      const events: OncelyEvent['type'][] = [];
      const d = deduper({ onEvent: (event) => events.push(event.type) });
      const failure = new Error('card declined');
      await expect(
        d.run(key, () => {
          throw failure;
        }),
      ).rejects.toBe(failure);
      expect(events).toContain('released');
      expect(await d.get(key)).toBeUndefined();
      expect(await d.run(key, () => 'retried')).toMatchObject({
        status: 'processed',
        result: 'retried',
      });
    });

    it('lets a redelivery take over an expired lease, and tells the stale worker it lost', async () => {
      const clock = new ManualClock(Date.UTC(2030, 0, 1));
      const events: OncelyEvent[] = [];
      const d = deduper({ clock, lease: '30s', onEvent: (event) => events.push(event) });
      const key = randomUUID();
      const stale = gate();
      const staleRun = d.run(key, () => stale.handler('stale result'));
      await stale.running;

      clock.advance(30_001);
      const takeover = await d.run(key, () => 'fresh result');
      expect(takeover).toMatchObject({ status: 'processed', result: 'fresh result' });
      expect(events.find((e) => e.type === 'claimed' && e.takeover)).toBeDefined();

      stale.open();
      const error = await staleRun.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(LeaseLostError);
      expect((error as LeaseLostError).operation).toBe('complete');
      expect(events.map((e) => e.type)).toContain('lease_lost');
      // The stale worker changed nothing: the new owner's result stands.
      expect(await d.run(key, () => 'third')).toMatchObject({
        status: 'duplicate',
        result: 'fresh result',
      });
    });

    it('extends a long handler’s lease, so a copy past the first lease still finds it in progress', async () => {
      const clock = new ManualClock(Date.UTC(2030, 0, 1));
      const d = deduper({ clock, lease: '30s' });
      const key = randomUUID();
      const outcome = await d.run(key, async (ctx) => {
        clock.advance(25_000);
        await ctx.extendLease();
        clock.advance(25_000); // past the first lease, inside the extended one
        const copy = await d.run(key, () => 'copy').catch((e: unknown) => e);
        expect(copy).toBeInstanceOf(InProgressError);
        return 'long';
      });
      expect(outcome).toMatchObject({ status: 'processed', result: 'long' });
    });

    it('refuses the same key with a different payload', async () => {
      const d = createDeduper<{ amount: number }>({
        store: store(),
        namespace: 'payments',
        fingerprint: (input) => input.amount,
      });
      const key = randomUUID();
      await d.run(key, () => 'charged', { input: { amount: 10 } });
      await expect(d.run(key, () => 'charged', { input: { amount: 11 } })).rejects.toMatchObject({
        name: 'FingerprintMismatchError',
      });
    });

    it('hashes a key over 1 KiB and still deduplicates it', async () => {
      const key = `${randomUUID()}-${'k'.repeat(3000)}`;
      const first = await deduper().run(key, () => 1);
      const again = await deduper().run(key, () => 2);
      expect(first.storeKey).toMatch(/^orders#sha256:/);
      expect(again).toMatchObject({ status: 'duplicate', result: 1 });
    });
  });
}
