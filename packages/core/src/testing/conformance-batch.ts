import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import { toStoreKey } from '../keys.js';
import type { ClaimItem, ClaimOutcome, DedupStore, FencedOutcome } from '../store.js';

const LEASE = 30_000;
const TTL = 3_600_000;
// The same far-off clock as the single-call suite: stores must use the caller's `now`.
const T0 = Date.UTC(2031, 4, 1, 12, 0, 0, 250);

type BatchStore = Required<Pick<DedupStore, 'claimMany' | 'completeMany' | 'releaseMany'>> &
  DedupStore;

function fulfilled<T>(results: readonly PromiseSettledResult<T>[]): T[] {
  return results.map((result) => {
    if (result.status === 'rejected') throw result.reason;
    return result.value;
  });
}

function token(outcome: ClaimOutcome | undefined): string {
  expect(outcome?.kind).toBe('claimed');
  return outcome?.kind === 'claimed' ? outcome.token : '';
}

/**
 * Registers the batch operations' conformance tests: every outcome a single claim can
 * have, mixed in one batch; a key given twice; batches larger than a store's request
 * limit; and fenced completions and releases. Each item must get what the single call
 * would have answered. Internal: called by `describeStoreConformance` with `batch: true`.
 */
export function describeBatchConformance(getStore: () => DedupStore): void {
  const batchStore = (): BatchStore => {
    const store = getStore();
    // Declared batch-capable: missing operations fail the suite rather than skip it.
    expect(typeof store.claimMany).toBe('function');
    expect(typeof store.completeMany).toBe('function');
    expect(typeof store.releaseMany).toBe('function');
    return store as BatchStore;
  };
  const key = () => toStoreKey('conformance-batch', randomUUID());
  const item = (k: string, now = T0, fingerprint?: string): ClaimItem => ({
    key: k,
    leaseMs: LEASE,
    ttlMs: TTL,
    now,
    ...(fingerprint === undefined ? {} : { fingerprint }),
  });

  it('claimMany answers each key as claim would: new, duplicate, in progress, expired, takeover, other fingerprint', async () => {
    const store = batchStore();
    const [fresh, done, busy, expired, abandoned, otherPrint] = Array.from({ length: 6 }, key);
    const setUp = fulfilled(
      await store.claimMany([
        item(done as string, T0 - 1000, 'fp-1'),
        item(busy as string, T0 - 1000),
        item(expired as string, T0 - TTL - 10_000),
        item(abandoned as string, T0 - LEASE - 1),
        item(otherPrint as string, T0 - 1000, 'fp-1'),
      ]),
    );
    const completed = fulfilled(
      await store.completeMany([
        { key: done as string, token: token(setUp[0]), ttlMs: TTL, now: T0 - 900, result: 'r1' },
        { key: expired as string, token: token(setUp[2]), ttlMs: TTL, now: T0 - TTL - 9_000 },
        { key: otherPrint as string, token: token(setUp[4]), ttlMs: TTL, now: T0 - 900 },
      ]),
    );
    expect(completed.map((outcome) => outcome.ok)).toEqual([true, true, true]);

    const outcomes = fulfilled(
      await store.claimMany([
        item(fresh as string),
        item(done as string, T0, 'fp-1'),
        item(busy as string),
        item(expired as string),
        item(abandoned as string),
        item(otherPrint as string, T0, 'fp-2'),
      ]),
    );
    expect(outcomes.map((outcome) => outcome.kind)).toEqual([
      'claimed',
      'duplicate',
      'in_progress',
      'claimed',
      'claimed',
      'duplicate',
    ]);
    const [newClaim, duplicate, inProgress, afterExpiry, takeover, mismatch] = outcomes;
    expect(newClaim).toMatchObject({ record: { key: fresh, status: 'IN_PROGRESS' } });
    expect(newClaim?.kind === 'claimed' && newClaim.previous).toBeFalsy();
    expect(duplicate?.record).toMatchObject({
      status: 'COMPLETED',
      result: 'r1',
      fingerprint: 'fp-1',
    });
    expect(inProgress?.kind === 'in_progress' && inProgress.retryAfterMs).toBe(LEASE - 1000);
    expect(inProgress?.record.token).toBe(token(setUp[1]));
    expect(afterExpiry?.kind === 'claimed' && afterExpiry.previous).toBeFalsy();
    expect(takeover?.kind === 'claimed' && takeover.previous?.token).toBe(token(setUp[3]));
    expect(takeover?.record).toMatchObject({ leaseUntil: T0 + LEASE, status: 'IN_PROGRESS' });
    // The store reports the stored fingerprint; the deduper decides it is a mismatch.
    expect(mismatch?.record.fingerprint).toBe('fp-1');

    const stored = await store.get(abandoned as string, { now: T0 });
    expect(stored).toMatchObject({ token: token(takeover), status: 'IN_PROGRESS' });
    const claimedTokens = [newClaim, afterExpiry, takeover].map(token);
    expect(new Set(claimedTokens).size).toBe(3);
  });

  it('claimMany takeover of an expired window leaves no stale result or fingerprint behind', async () => {
    const store = batchStore();
    const k = key();
    const [old] = fulfilled(
      await store.claimMany([item(k, T0 - TTL - 10_000, 'fp-old'), item(key())]),
    );
    await store.completeMany([
      { key: k, token: token(old), ttlMs: TTL, now: T0 - TTL - 9_000, result: 'stale' },
      { key: key(), token: 'none', ttlMs: TTL, now: T0 },
    ]);
    const [again] = fulfilled(await store.claimMany([item(k), item(key())]));
    expect(again?.kind).toBe('claimed');
    const stored = await store.get(k, { now: T0 });
    expect(stored).toMatchObject({ status: 'IN_PROGRESS', token: token(again) });
    expect(stored?.result).toBeUndefined();
    expect(stored?.fingerprint).toBeUndefined();
  });

  it('claimMany answers the same whatever its likelyExists hints say', async () => {
    const store = batchStore();
    const [fresh, done, busy] = [key(), key(), key()];
    const [first, held] = fulfilled(
      await store.claimMany([item(done, T0 - 1000), item(busy, T0 - 1000)]),
    );
    await store.complete(done, token(first), { ttlMs: TTL, now: T0 - 900 });
    const outcomes = fulfilled(
      await store.claimMany([
        { ...item(fresh), likelyExists: true }, // wrong: it is new
        { ...item(done), likelyExists: false }, // wrong: it exists
        { ...item(busy), likelyExists: true },
      ]),
    );
    expect(outcomes.map((outcome) => outcome.kind)).toEqual([
      'claimed',
      'duplicate',
      'in_progress',
    ]);
    expect(outcomes[2]?.record.token).toBe(token(held));
    expect((await store.get(fresh, { now: T0 }))?.token).toBe(token(outcomes[0]));
  });

  it('claimMany claims a repeated key once: the later copies find the first copy holding it', async () => {
    const store = batchStore();
    const [k, other] = [key(), key()];
    const outcomes = fulfilled(
      await store.claimMany([item(k), item(other), item(k, T0 + 5), item(k, T0 + 10)]),
    );
    expect(outcomes.map((outcome) => outcome.kind)).toEqual([
      'claimed',
      'claimed',
      'in_progress',
      'in_progress',
    ]);
    const first = token(outcomes[0]);
    expect(outcomes[2]?.record.token).toBe(first);
    expect(outcomes[3]?.record.token).toBe(first);
    expect((await store.get(k, { now: T0 + 10 }))?.token).toBe(first);
  });

  it("claimMany's later copy of a key stays behind its first copy even when its clock is past that copy's lease", async () => {
    const store = batchStore();
    const [k, held] = [key(), key()];
    const other = fulfilled(await store.claimMany([item(held, T0 - 10)]));
    const outcomes = fulfilled(
      await store.claimMany([
        item(k),
        item(k, T0 + LEASE + 100),
        item(held),
        item(held, T0 + LEASE + 100),
      ]),
    );
    // k: the first copy's fresh claim is not a lease that ended; held: the later copy shares
    // its first copy's answer (in progress) rather than taking the key over.
    expect(outcomes.map((outcome) => outcome.kind)).toEqual([
      'claimed',
      'in_progress',
      'in_progress',
      'in_progress',
    ]);
    expect(outcomes[1]?.record.token).toBe(token(outcomes[0]));
    expect(outcomes[3]?.record.token).toBe(token(other[0]));
    expect((await store.get(k, { now: T0 + 1 }))?.token).toBe(token(outcomes[0]));
    expect((await store.get(held, { now: T0 + 1 }))?.token).toBe(token(other[0]));
  });

  it('claimMany and completeMany take more items than one request holds', async () => {
    const store = batchStore();
    const keys = Array.from({ length: 60 }, key);
    const claims = fulfilled(await store.claimMany(keys.map((k) => item(k))));
    expect(claims.every((outcome) => outcome.kind === 'claimed')).toBe(true);
    const half = keys.slice(0, 30);
    const completions = fulfilled(
      await store.completeMany(
        half.map((k, index) => ({
          key: k,
          token: token(claims[index]),
          ttlMs: TTL,
          now: T0 + 1,
          result: `r${index}`,
        })),
      ),
    );
    expect(completions.every((outcome) => outcome.ok)).toBe(true);
    const again = fulfilled(await store.claimMany(keys.map((k) => item(k, T0 + 2))));
    expect(again.slice(0, 30).every((outcome) => outcome.kind === 'duplicate')).toBe(true);
    expect(again.slice(30).every((outcome) => outcome.kind === 'in_progress')).toBe(true);
    expect(again[7]?.record.result).toBe('r7');
  });

  it('completeMany and releaseMany are fenced per item: a stale token changes nothing', async () => {
    const store = batchStore();
    const [owned, stolen, released, gone] = [key(), key(), key(), key()];
    const claims = fulfilled(
      await store.claimMany([item(owned), item(stolen), item(released), item(gone)]),
    );
    const [ownedToken, staleToken, releasedToken, goneToken] = claims.map(token);
    const takeover = token(fulfilled(await store.claimMany([item(stolen, T0 + LEASE + 1)]))[0]);
    const completes = fulfilled(
      await store.completeMany([
        { key: owned, token: ownedToken as string, ttlMs: TTL, now: T0 + LEASE + 2 },
        { key: stolen, token: staleToken as string, ttlMs: TTL, now: T0 + LEASE + 2, result: 'x' },
      ]),
    );
    expect(completes.map((outcome) => outcome.ok)).toEqual([true, false]);
    expect(lostTo(completes[1])).toBe(takeover);
    const neverClaimed = key();
    const releases = fulfilled(
      await store.releaseMany([
        { key: released, token: releasedToken as string },
        { key: stolen, token: staleToken as string },
        { key: gone, token: goneToken as string },
        { key: neverClaimed, token: 'never-claimed' },
      ]),
    );
    // Releasing an absent key may answer either way (the key is free, as a release
    // wants); what matters is that nothing is created.
    expect(releases.slice(0, 3).map((outcome) => outcome.ok)).toEqual([true, false, true]);
    const now = T0 + LEASE + 3;
    expect(await store.get(neverClaimed, { now })).toBeUndefined();
    expect(await store.get(released, { now })).toBeUndefined();
    expect(await store.get(gone, { now })).toBeUndefined();
    expect(await store.get(stolen, { now })).toMatchObject({
      token: takeover,
      status: 'IN_PROGRESS',
    });
    expect(await store.get(owned, { now })).toMatchObject({ status: 'COMPLETED' });
    expect((await store.get(stolen, { now }))?.result).toBeUndefined();
  });
}

function lostTo(outcome: FencedOutcome | undefined): string | undefined {
  expect(outcome?.ok).toBe(false);
  return outcome?.ok === false ? outcome.current?.token : undefined;
}
