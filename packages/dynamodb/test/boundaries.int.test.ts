import { randomUUID } from 'node:crypto';
import { type ClaimOutcome, expiresAtFor, isClaimable } from '@oncely/core';
import { describeWithServers } from '@oncely/test-support/servers';
import { useStoreTable } from '@oncely/test-support/tables';
import { expect, it } from 'vitest';

const LEASE = 30_000;
const TTL = 3_600_000;
// Not on a whole second, so the expiry boundary falls between whole `nowSec` values.
const T0 = Date.UTC(2031, 4, 1, 12, 0, 0, 250);

/**
 * The claim condition must draw the lines exactly where core's `isClaimable` does:
 * lease over iff `leaseUntil <= now`, expired iff `expiresAt * 1000 <= now`. One
 * millisecond on either side of each line.
 */
describeWithServers('DynamoDBStore claim condition at the boundaries', () => {
  const table = useStoreTable('boundaries');
  const claim = (key: string, now: number): Promise<ClaimOutcome> =>
    table.store.claim(key, { leaseMs: LEASE, ttlMs: TTL, now });

  it.each([
    ['1 ms before the lease ends', 'in_progress', -1],
    ['exactly when the lease ends', 'claimed', 0],
  ])('an IN_PROGRESS record %s gives %s', async (_, expected, offset) => {
    const key = `b#${randomUUID()}`;
    const first = await claim(key, T0);
    const now = T0 + LEASE + offset;
    expect(first.record.leaseUntil).toBe(T0 + LEASE);
    expect(isClaimable(first.record, now)).toBe(expected === 'claimed');
    expect((await claim(key, now)).kind).toBe(expected);
  });

  it.each([
    ['1 ms before it expires', 'duplicate', -1],
    ['exactly when it expires', 'claimed', 0],
  ])('a COMPLETED record %s gives %s', async (_, expected, offset) => {
    const key = `b#${randomUUID()}`;
    const first = await claim(key, T0);
    if (first.kind !== 'claimed') throw new Error('expected a claim');
    await table.store.complete(key, first.token, { ttlMs: TTL, now: T0 });
    const expiresAt = expiresAtFor(T0, TTL);
    const now = expiresAt * 1000 + offset;
    const outcome = await claim(key, now);
    expect(outcome.kind).toBe(expected);
    // An expired record is absent: taking it is no takeover.
    if (outcome.kind === 'claimed') expect(outcome.previous).toBeUndefined();
    expect(await table.store.get(key, { now })).toEqual(
      expected === 'claimed'
        ? expect.objectContaining({ status: 'IN_PROGRESS' })
        : expect.objectContaining({ status: 'COMPLETED' }),
    );
  });
});
