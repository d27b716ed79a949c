import { randomUUID } from 'node:crypto';
import { createDeduper, StoreError } from '@oncely/core';
import { connectClient, type TestClient } from '@oncely/test-support/redis-clients';
import { type RedisServer, startRedisServer } from '@oncely/test-support/redis-server';
import { describeWithServers } from '@oncely/test-support/servers';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RedisStore } from '../src/index.js';

const CLAIM = { leaseMs: 30_000, ttlMs: 60_000 };

/** The error `promise` rejects with, which must be a StoreError. */
async function storeError(promise: Promise<unknown>): Promise<StoreError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(StoreError);
  return error as StoreError;
}

/**
 * Real servers in real trouble, each provoked on a private redis-server: out of memory, a
 * replica refusing writes, a long script keeping the server busy, a paused server timing a
 * call out, a dead server, a key of the wrong type. Every one becomes a StoreError with the
 * operation, the key and the cause, retryable exactly when a later call may succeed.
 */
describeWithServers('RedisStore when the server refuses', () => {
  const servers: RedisServer[] = [];
  const clients: TestClient[] = [];
  const server = async (args: string[] = []) => {
    const started = await startRedisServer({ args });
    servers.push(started);
    return started;
  };
  const store = async (url: string, options: { timeoutMs?: number; failFast?: boolean } = {}) => {
    const client = await connectClient('node-redis', url, options);
    clients.push(client);
    return { client, store: new RedisStore({ client: client.native as never }) };
  };
  afterEach(async () => {
    for (const client of clients.splice(0)) await client.close();
    for (const started of servers.splice(0)) await started.stop();
  });

  it('OOM: a claim on a full server is a retryable StoreError naming the key', async () => {
    const full = await server(['--maxmemory-policy', 'noeviction']);
    const { client, store: redis } = await store(full.url);
    // About 2 MB of data, then a memory limit below it: every write is refused until
    // memory is freed.
    const filler = client.native as { set(key: string, value: string): Promise<unknown> };
    for (let index = 0; index < 8; index++)
      await filler.set(`filler-${index}`, 'x'.repeat(262_144));
    await full.command('CONFIG SET maxmemory 1mb');
    const error = await storeError(redis.claim('n#k', { ...CLAIM, now: Date.now() }));
    expect(error).toMatchObject({ operation: 'claim', storeKey: 'n#k', retryable: true });
    expect(String((error.cause as Error).message)).toMatch(/^OOM/);
  });

  it('READONLY: a write to a replica (a stale primary after failover) is retryable', async () => {
    const primary = await server();
    const replica = await server(['--replicaof', '127.0.0.1', String(primary.port)]);
    const { store: redis } = await store(replica.url);
    const error = await storeError(redis.claim('n#k', { ...CLAIM, now: Date.now() }));
    expect(error).toMatchObject({ operation: 'claim', storeKey: 'n#k', retryable: true });
    expect(String((error.cause as Error).message)).toMatch(/^READONLY/);
  });

  it('BUSY: a claim while another script runs too long is retryable', async () => {
    const busy = await server(['--busy-reply-threshold', '50']);
    const { store: redis } = await store(busy.url);
    const blocker = await connectClient('ioredis', busy.url);
    clients.push(blocker);
    // A script that spins until SCRIPT KILL (it writes nothing, so it can be killed).
    const spinning = (blocker.native as { eval(s: string, n: number): Promise<unknown> })
      .eval('local i = 0 while true do i = i + 1 end', 0)
      .catch(() => 'killed');
    let error: StoreError | undefined;
    for (let attempt = 0; attempt < 50 && !error; attempt++) {
      error = await redis.claim('n#k', { ...CLAIM, now: Date.now() }).then(
        () => undefined,
        (reason: StoreError) => reason,
      );
    }
    await busy.command('SCRIPT KILL');
    await spinning;
    expect(error).toBeInstanceOf(StoreError);
    expect(error).toMatchObject({ operation: 'claim', storeKey: 'n#k', retryable: true });
    expect(String((error?.cause as Error | undefined)?.message)).toMatch(/^BUSY/);
  });

  it('timeout: a call the client gives up on (the server is paused) is retryable', async () => {
    const paused = await server();
    const client = await connectClient('ioredis', paused.url, { timeoutMs: 100 });
    clients.push(client);
    const redis = new RedisStore({ client: client.native as never });
    await paused.command('CLIENT PAUSE 2000 WRITE');
    const error = await storeError(redis.complete('n#k', 'token', { ttlMs: 60_000, now: 0 }));
    await paused.command('CLIENT UNPAUSE');
    expect(error).toMatchObject({ operation: 'complete', storeKey: 'n#k', retryable: true });
    expect(String((error.cause as Error).message)).toMatch(/timed out/);
  });

  it('connection refused: every call to a dead server is retryable, with its key', async () => {
    const dead = await server();
    const { store: redis } = await store(dead.url, { failFast: true });
    await dead.kill();
    const deduper = createDeduper({ store: redis, namespace: 'n' });
    let ran = false;
    const error = await storeError(
      deduper.run('k', () => {
        ran = true;
      }),
    );
    expect(ran).toBe(false);
    expect(error).toMatchObject({ operation: 'claim', key: 'k', storeKey: 'n#k', retryable: true });
    expect(await storeError(redis.get('n#k', { now: 0 }))).toMatchObject({
      operation: 'get',
      retryable: true,
    });
  });
});

describeWithServers('RedisStore batches when one item fails', () => {
  let server: RedisServer;
  let client: TestClient;
  beforeAll(async () => {
    server = await startRedisServer();
    client = await connectClient('ioredis', server.url);
  });
  afterAll(async () => {
    await client?.close();
    await server?.stop();
  });

  describe.each(['pipeline (ioredis)', 'auto-pipelining (node-redis)'])('%s', (name) => {
    it('rejects only the failing item, with its own non-retryable StoreError', async () => {
      const family = name.includes('ioredis') ? 'ioredis' : 'node-redis';
      const own = await connectClient(family, server.url);
      const redis = new RedisStore({ client: own.native as never });
      const [before, wrong, after] = [randomUUID(), randomUUID(), randomUUID()];
      // A key of another type under the store's name: WRONGTYPE for that item only.
      await (client.native as { set(k: string, v: string): Promise<unknown> }).set(
        redis.redisKey(wrong),
        'not a hash',
      );
      const now = Date.now();
      const results = await redis.claimMany(
        [before, wrong, after].map((key) => ({ key, ...CLAIM, now })),
      );
      expect(results.map((result) => result.status)).toEqual([
        'fulfilled',
        'rejected',
        'fulfilled',
      ]);
      const failed = results[1] as PromiseRejectedResult;
      expect(failed.reason).toBeInstanceOf(StoreError);
      expect(failed.reason).toMatchObject({
        operation: 'claim',
        storeKey: wrong,
        retryable: false,
      });
      expect(String(failed.reason.cause.message)).toMatch(/^WRONGTYPE/);
      await own.close();
    });
  });
});
