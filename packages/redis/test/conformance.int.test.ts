import { describeStoreConformance } from '@oncely/core/testing';
import {
  CLIENT_FAMILIES,
  connectClient,
  type TestClient,
  testPrefix,
} from '@oncely/test-support/redis-clients';
import { describeWithServers, redisUrl } from '@oncely/test-support/servers';
import { expect, it } from 'vitest';
import { RedisStore } from '../src/index.js';

// The same contract on every client family: node-redis, ioredis and iovalkey, each passed
// to the store as the user's own client (the store recognises it).
describeWithServers('RedisStore on Redis', () => {
  for (const family of CLIENT_FAMILIES) {
    let client: TestClient | undefined;
    const prefix = testPrefix();
    describeStoreConformance(
      `RedisStore (${family})`,
      async () => {
        client = await connectClient(family, redisUrl());
        const connected = client;
        return {
          store: new RedisStore({ client: connected.native as never, keyPrefix: prefix }),
          teardown: async () => {
            await connected.dropPrefix(prefix);
            await connected.close();
          },
        };
      },
      {
        batch: true,
        extraTests: (store) => {
          it('keeps each record as one hash under the prefix, expiring natively with its window', async () => {
            const redis = store() as RedisStore;
            const now = Date.now();
            const key = `conformance#native-${family}`;
            const claim = await redis.claim(key, { leaseMs: 30_000, ttlMs: 60_000, now });
            expect(claim.kind).toBe('claimed');
            // The key expires with the window (not the lease), counted from the claim.
            const window = (claim.record.expiresAt * 1000 - now) as number;
            const pttl = (await client?.pttl(`${prefix}${key}`)) ?? -1;
            expect(pttl).toBeGreaterThan(30_000);
            expect(pttl).toBeLessThanOrEqual(window);
            const found = await client?.keys(prefix);
            expect(found).toContain(`${prefix}${key}`);
            const fields = await redis.client.hgetall(`${prefix}${key}`);
            expect(Object.keys(fields).sort()).toEqual([
              'expiresAt',
              'leaseUntil',
              'status',
              'token',
            ]);
          });
        },
      },
    );
  }
});
