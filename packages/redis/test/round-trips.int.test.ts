import { randomUUID } from 'node:crypto';
import { createDeduper } from '@oncely/core';
import { gate } from '@oncely/test-support/gate';
import { connectClient, type TestClient } from '@oncely/test-support/redis-clients';
import { type CountingClient, countingClient } from '@oncely/test-support/redis-counter';
import { type RedisServer, startRedisServer } from '@oncely/test-support/redis-server';
import { describeWithServers } from '@oncely/test-support/servers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisStore } from '../src/index.js';

/**
 * What each path costs, counted twice: by the store's client interface (round trips and
 * commands the store asked for) and by the server itself (`total_reads_processed` of a
 * private redis-server that nothing else talks to: one read per pipeline the client wrote),
 * so a batch that a client split into several writes would show.
 */
describeWithServers('RedisStore round trips', () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  // The default on a standalone server: one script call per batch, over all its keys; and
  // the per-key path a cluster client takes (forced here with `cluster: true`): one call
  // per key, pipelined. Either way the same round trips.
  const variants = [
    { family: 'node-redis', cluster: false },
    { family: 'ioredis', cluster: false },
    { family: 'node-redis', cluster: true },
    { family: 'ioredis', cluster: true },
  ] as const;
  for (const { family, cluster } of variants) {
    /** Commands for a batch of `keys` items of one transition. */
    const batch = (keys: number) => (cluster ? keys : 1);
    describe(`on ${family}, ${cluster ? 'one call per key (cluster)' : 'one call per batch'}`, () => {
      let client: TestClient;
      let counter: CountingClient;
      let store: RedisStore;
      let readsBefore = 0;
      beforeAll(async () => {
        client = await connectClient(family, server.url);
        counter = countingClient(client.scripts);
        store = new RedisStore({ client: counter, cluster });
        expect(store.cluster).toBe(cluster);
        // Load the scripts once (claim, complete, release), so every test sees the warm path.
        const warmUp = createDeduper({ store, namespace: 'warm-up' });
        await warmUp.run(randomUUID(), () => 0);
        await warmUp.run(randomUUID(), () => Promise.reject(new Error('warm-up'))).catch(() => {});
      });
      afterAll(async () => {
        await client?.close();
      });

      const reset = async () => {
        counter.reset();
        readsBefore = (await server.stats()).total_reads_processed ?? 0;
      };
      /** Reads the server processed since `reset`, without the second INFO's own read. */
      const serverReads = async () =>
        ((await server.stats()).total_reads_processed ?? 0) - readsBefore - 1;
      let shared: ReturnType<typeof createDeduper> | undefined;
      // One deduper for all: calls made together share its coalescer, as in an adapter.
      const deduper = () =>
        (shared ??= createDeduper({ store, namespace: 'trips', storeResult: true }));

      it('costs a new message 2 round trips (claim, complete) and a duplicate 1, with no read', async () => {
        const key = randomUUID();
        await reset();
        expect((await deduper().run(key, () => ({ charged: 42 }))).status).toBe('processed');
        expect(counter.byCommand()).toEqual({ EVALSHA: 2 });
        expect(counter.roundTrips).toBe(2);
        expect(await serverReads()).toBe(2);

        await reset();
        const again = await deduper().run(key, () => ({ charged: 0 }));
        expect(again).toMatchObject({ status: 'duplicate', result: { charged: 42 } });
        expect(counter.byCommand()).toEqual({ EVALSHA: 1 });
        expect(await serverReads()).toBe(1);
      });

      it('costs a live in-progress key 1 round trip, and a handler error 2 (claim, release)', async () => {
        const key = randomUUID();
        const owner = gate();
        const owned = deduper().run(key, () => owner.handler('first'));
        await owner.running;
        await reset();
        await expect(deduper().run(key, () => 'second')).rejects.toMatchObject({
          name: 'InProgressError',
        });
        expect(counter.byCommand()).toEqual({ EVALSHA: 1 });
        owner.open();
        await owned;

        await reset();
        const failing = deduper().run(randomUUID(), () => {
          throw new Error('declined');
        });
        await expect(failing).rejects.toThrow('declined');
        expect(counter.byCommand()).toEqual({ EVALSHA: 2 });
        expect(await serverReads()).toBe(2);
      });

      it('costs 10 new messages run together 2 round trips, and their 10 redeliveries 1', async () => {
        const keys = Array.from({ length: 10 }, () => randomUUID());
        await reset();
        const first = await Promise.all(keys.map((key) => deduper().run(key, () => ({ key }))));
        expect(first.map((outcome) => outcome.status)).toEqual(keys.map(() => 'processed'));
        // One call (or pipeline) of 10 claims, one of 10 completions.
        expect(counter.byCommand()).toEqual({ EVALSHA: 2 * batch(10) });
        expect(counter.roundTrips).toBe(2);
        expect(await serverReads()).toBe(2);

        await reset();
        const again = await Promise.all(keys.map((key) => deduper().run(key, () => 'again')));
        expect(again.map((outcome) => outcome.result)).toEqual(keys.map((key) => ({ key })));
        expect(counter.byCommand()).toEqual({ EVALSHA: batch(10) });
        expect(counter.roundTrips).toBe(1);
        expect(await serverReads()).toBe(1);
      });

      it('costs a batch mixing new, redelivered and in-progress keys 2 round trips', async () => {
        const done = randomUUID();
        const busy = randomUUID();
        await deduper().run(done, () => 'done');
        const owner = gate();
        const owned = deduper().run(busy, () => owner.handler('first'));
        await owner.running;
        const fresh = Array.from({ length: 8 }, () => randomUUID());
        await reset();
        const outcomes = await Promise.allSettled(
          [done, busy, ...fresh].map((key) => deduper().run(key, () => 'ran')),
        );
        expect(
          outcomes.map((outcome) =>
            outcome.status === 'fulfilled' ? outcome.value.status : outcome.reason.name,
          ),
        ).toEqual(['duplicate', 'InProgressError', ...fresh.map(() => 'processed')]);
        // One call (or pipeline) of 10 claims, one of the 8 completions.
        expect(counter.byCommand()).toEqual({ EVALSHA: batch(10) + batch(8) });
        expect(counter.roundTrips).toBe(2);
        expect(await serverReads()).toBe(2);
        owner.open();
        await owned;
      });

      it('falls back to EVAL once when the server lost its scripts, then goes by SHA again', async () => {
        await server.command('SCRIPT FLUSH');
        const keys = Array.from({ length: 3 }, () => randomUUID());
        await reset();
        const claims = await store.claimMany(
          keys.map((key) => ({ key, leaseMs: 30_000, ttlMs: 60_000, now: Date.now() })),
        );
        expect(claims.map((claim) => claim.status)).toEqual(keys.map(() => 'fulfilled'));
        // The EVALSHAs were refused (NOSCRIPT: nothing ran), the EVALs claimed and loaded.
        expect(counter.byCommand()).toEqual({ EVALSHA: batch(3), EVAL: batch(3) });
        expect(counter.roundTrips).toBe(2);

        await reset();
        const again = await store.claim(randomUUID(), {
          leaseMs: 30_000,
          ttlMs: 60_000,
          now: Date.now(),
        });
        expect(again.kind).toBe('claimed');
        expect(counter.byCommand()).toEqual({ EVALSHA: 1 });
      });
    });
  }
});
