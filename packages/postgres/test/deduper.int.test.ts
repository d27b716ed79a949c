import { randomUUID } from 'node:crypto';
import {
  createDeduper,
  type DeduperOptions,
  InProgressError,
  LeaseLostError,
  ManualClock,
  type OncelyEvent,
} from '@oncely/core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithServers } from '../../../test/support/servers.js';
import { deferred } from './deferred.js';
import { type FreshSchema, freshSchema } from './support.js';

// The deduper's flows over PostgresStore, end to end: new, duplicate, in progress,
// release on a handler error, takeover after the lease, and the stale worker's lost lease.
describeWithServers('createDeduper with PostgresStore, end to end', () => {
  let fresh: FreshSchema;
  beforeAll(async () => {
    fresh = await freshSchema();
  });
  afterAll(() => fresh?.drop());
  const deduper = (options: Partial<DeduperOptions> = {}) =>
    createDeduper({ store: fresh.store, namespace: 'orders', storeResult: true, ...options });

  it('processes a new key once and replays its result to a duplicate', async () => {
    const key = randomUUID();
    let runs = 0;
    const handler = () => {
      runs++;
      return { orderId: key, total: 99.5 };
    };
    expect(await deduper().run(key, handler)).toMatchObject({
      status: 'processed',
      result: { orderId: key, total: 99.5 },
    });
    const second = await deduper().run(key, handler);
    expect(second).toMatchObject({ status: 'duplicate', result: { orderId: key, total: 99.5 } });
    expect(second.storeKey).toBe(`orders#${key}`);
    expect(runs).toBe(1);
    expect(await deduper().get(key)).toMatchObject({ status: 'COMPLETED' });
  });

  it('tells a concurrent delivery that the key is in progress, with the time left', async () => {
    const clock = new ManualClock(Date.UTC(2030, 0, 1));
    const d = deduper({ clock, lease: '30s' });
    const key = randomUUID();
    const started = deferred();
    const finish = deferred();
    const running = d.run(key, async () => {
      started.resolve();
      await finish.promise;
      return 'first';
    });
    await started.promise;
    clock.advance(10_000);
    const error = await d.run(key, () => 'second').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InProgressError);
    expect((error as InProgressError).retryAfterMs).toBe(20_000);
    finish.resolve();
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
    const started = deferred();
    const finish = deferred();
    const staleRun = d.run(key, async () => {
      started.resolve();
      await finish.promise;
      return 'stale result';
    });
    await started.promise;
    clock.advance(30_001);
    expect(await d.run(key, () => 'fresh result')).toMatchObject({
      status: 'processed',
      result: 'fresh result',
    });
    const takeover = events.find((e) => e.type === 'claimed' && e.takeover);
    expect(takeover).toBeDefined();
    finish.resolve();
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
      const other = await d.run(key, () => 'copy').catch((e: unknown) => e);
      expect(other).toBeInstanceOf(InProgressError);
      return 'long';
    });
    expect(outcome).toMatchObject({ status: 'processed', result: 'long' });
  });

  it('refuses the same key with a different payload', async () => {
    const d = createDeduper<{ amount: number }>({
      store: fresh.store,
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
    expect(first.storeKey).toMatch(/^orders#sha256:/);
    expect(await deduper().run(key, () => 2)).toMatchObject({ status: 'duplicate', result: 1 });
  });
});
