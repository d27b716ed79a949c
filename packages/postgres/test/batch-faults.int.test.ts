import { randomUUID } from 'node:crypto';
import { StoreError } from '@oncely/core';
import { describeWithServers } from '@oncely/test-support/servers';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type FreshSchema, freshSchema } from './support.js';

const T0 = Date.UTC(2031, 4, 1, 12);
const item = (key: string, fingerprint?: string) => ({
  key,
  leaseMs: 30_000,
  ttlMs: 3_600_000,
  now: T0,
  ...(fingerprint === undefined ? {} : { fingerprint }),
});

// A statement is all or nothing, so a value PostgreSQL refuses (text cannot hold NUL)
// would fail a whole batch; the store sends the items again one by one, so only that
// item fails and its siblings get their own outcomes.
describeWithServers('PostgresStore batches with one bad item', () => {
  let fresh: FreshSchema;
  beforeAll(async () => {
    fresh = await freshSchema();
  });
  afterAll(() => fresh?.drop());

  it('claimMany rejects only the item PostgreSQL refuses', async () => {
    const keys = Array.from({ length: 4 }, () => `bad#${randomUUID()}`);
    const results = await fresh.store.claimMany(
      keys.map((key, index) => item(key, index === 2 ? 'fp\u0000' : undefined)),
    );
    expect(results.map((r) => r.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
    ]);
    const reason = (results[2] as PromiseRejectedResult).reason;
    expect(reason).toBeInstanceOf(StoreError);
    expect(reason).toMatchObject({ operation: 'claim', storeKey: keys[2], retryable: false });
    expect(reason.cause).toMatchObject({ code: '22021' });
    for (const [index, key] of keys.entries()) {
      const stored = await fresh.store.get(key, { now: T0 });
      expect(stored?.status).toBe(index === 2 ? undefined : 'IN_PROGRESS');
    }
  });

  it('completeMany rejects only the item whose result PostgreSQL refuses', async () => {
    const keys = Array.from({ length: 3 }, () => `bad#${randomUUID()}`);
    const claims = await fresh.store.claimMany(keys.map((key) => item(key)));
    const tokens = claims.map((c) =>
      c.status === 'fulfilled' && c.value.kind === 'claimed' ? c.value.token : '',
    );
    const results = await fresh.store.completeMany(
      keys.map((key, index) => ({
        key,
        token: tokens[index] as string,
        ttlMs: 3_600_000,
        now: T0 + 1,
        result: index === 0 ? 'nul\u0000' : `"r${index}"`,
      })),
    );
    expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled', 'fulfilled']);
    expect((results[0] as PromiseRejectedResult).reason).toMatchObject({
      operation: 'complete',
      storeKey: keys[0],
    });
    expect(await fresh.store.get(keys[0] as string, { now: T0 + 1 })).toMatchObject({
      status: 'IN_PROGRESS',
    });
    expect(await fresh.store.get(keys[2] as string, { now: T0 + 1 })).toMatchObject({
      status: 'COMPLETED',
      result: '"r2"',
    });
  });
});
