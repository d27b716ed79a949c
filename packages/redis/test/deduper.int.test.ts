import { randomUUID } from 'node:crypto';
import {
  createDeduper,
  type DeduperOptions,
  InProgressError,
  LeaseLostError,
  ManualClock,
  type OncelyEvent,
} from '@oncely/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gate } from '../../../test/support/gate.js';
import { connectClient, type TestClient, testPrefix } from '../../../test/support/redis-clients.js';
import { describeWithServers, redisUrl } from '../../../test/support/servers.js';
import { RedisStore } from '../src/index.js';

describeWithServers('createDeduper with RedisStore, end to end', () => {
  describe.each(['node-redis', 'ioredis'] as const)('on %s', (family) => {
    const prefix = testPrefix();
    let client: TestClient;
    let store: RedisStore;
    beforeAll(async () => {
      client = await connectClient(family, redisUrl());
      store = new RedisStore({ client: client.native as never, keyPrefix: prefix });
    });
    afterAll(async () => {
      await client?.dropPrefix(prefix);
      await client?.close();
    });
    const deduper = (options: Partial<DeduperOptions> = {}) =>
      createDeduper({ store, namespace: 'orders', storeResult: true, ...options });

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
      expect(runs).toBe(1);
      expect(await client.keys(`${prefix}orders#${key}`)).toEqual([`${prefix}orders#${key}`]);
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
      expect(await d.run(key, () => 'retried')).toMatchObject({ status: 'processed' });
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

    it('holds off a later delivery while the owner extends its lease', async () => {
      const clock = new ManualClock(Date.UTC(2030, 0, 1));
      const d = deduper({ clock, lease: '30s' });
      const key = randomUUID();
      const owner = gate();
      const running = d.run(key, () => owner.handler('slow'));
      await owner.running;
      const record = await d.get(key);
      const extended = await store.extendLease(`orders#${key}`, record?.token ?? '', {
        leaseMs: 30_000,
        now: clock.now() + 20_000,
      });
      expect(extended).toMatchObject({ ok: true, record: { leaseUntil: clock.now() + 50_000 } });
      clock.advance(40_000);
      await expect(d.run(key, () => 'other')).rejects.toBeInstanceOf(InProgressError);
      owner.open();
      expect(await running).toMatchObject({ status: 'processed', result: 'slow' });
    });

    it('refuses the same key with a different payload', async () => {
      const d = createDeduper<{ amount: number }>({
        store,
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
});
