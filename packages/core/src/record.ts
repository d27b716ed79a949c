import type {
  BatchResults,
  ClaimItem,
  ClaimOptions,
  ClaimOutcome,
  CommitOptions,
  DedupRecord,
} from './store.js';
import { newToken } from './token.js';

/**
 * The record rules every store shares, so "expired" means the same thing in
 * memory, in DynamoDB and anywhere else.
 */

/** `expiresAt` (epoch seconds, rounded up) for a window of `ttlMs` from `nowMs`. */
export function expiresAtFor(nowMs: number, ttlMs: number): number {
  return Math.ceil((nowMs + ttlMs) / 1000);
}

/** Whether the dedup window has ended: an expired record counts as absent. */
export function isExpired(record: Pick<DedupRecord, 'expiresAt'>, nowMs: number): boolean {
  return record.expiresAt * 1000 <= nowMs;
}

/** Whether an IN_PROGRESS record's owner still holds its lease. */
export function isLeaseLive(
  record: Pick<DedupRecord, 'status' | 'leaseUntil'>,
  nowMs: number,
): boolean {
  return record.status === 'IN_PROGRESS' && record.leaseUntil > nowMs;
}

/** Whether a claim at `nowMs` may take the slot held by `record` (absent, expired, or lease over). */
export function isClaimable(record: DedupRecord | undefined, nowMs: number): boolean {
  return (
    record === undefined ||
    isExpired(record, nowMs) ||
    (record.status === 'IN_PROGRESS' && !isLeaseLive(record, nowMs))
  );
}

/**
 * The IN_PROGRESS record a claim of `key` writes: a fresh token, the lease and the window
 * from the claim's `now`, and its fingerprint when it has one.
 *
 * @example
 * const record = claimRecord(key, { leaseMs: 30_000, ttlMs: 86_400_000, now: Date.now() });
 */
export function claimRecord(key: string, options: ClaimOptions): DedupRecord {
  const { now } = options;
  return {
    key,
    status: 'IN_PROGRESS',
    token: newToken(),
    leaseUntil: now + options.leaseMs,
    expiresAt: expiresAtFor(now, options.ttlMs),
    ...(options.fingerprint === undefined ? {} : { fingerprint: options.fingerprint }),
  };
}

/**
 * The COMPLETED record a transactional `commit` writes: it was never in progress, so
 * its lease is over the moment it lands, and it gets a fresh token like any claim.
 */
export function committedRecord(key: string, options: CommitOptions): DedupRecord {
  const { now } = options;
  return {
    key,
    status: 'COMPLETED',
    token: newToken(),
    leaseUntil: now,
    expiresAt: expiresAtFor(now, options.ttlMs),
    ...(options.fingerprint === undefined ? {} : { fingerprint: options.fingerprint }),
    ...(options.result === undefined ? {} : { result: options.result }),
  };
}

/**
 * What a later copy of a key in one `claimMany` batch is answered: a store claims each
 * key once per batch, so when the first copy claimed it, the later copies find it held
 * by that claim (`in_progress`); when the first copy did not claim (a duplicate, in
 * progress, a failed write), they share its answer.
 *
 * @example
 * return items.map((item, at) => (isFirst[at] ? first : laterCopyOutcome(first, item.now)));
 */
export function laterCopyOutcome(
  first: PromiseSettledResult<ClaimOutcome>,
  nowMs: number,
): PromiseSettledResult<ClaimOutcome> {
  if (first.status === 'rejected' || first.value.kind !== 'claimed') return first;
  const held = first.value.record;
  return {
    status: 'fulfilled',
    value: {
      kind: 'in_progress',
      record: held,
      retryAfterMs: Math.max(0, held.leaseUntil - nowMs),
    },
  };
}

/**
 * Runs a `claimMany` batch with each key claimed once: `claimFirsts` gets the first copy of
 * every key, in order, and answers each of them; a later copy of a key is answered
 * {@link laterCopyOutcome} of its first copy's answer, whatever its own `now` (so a copy
 * whose clock is past the first copy's lease cannot take the key over from it).
 *
 * @example
 * claimMany(items) {
 *   return claimEachKeyOnce(items, (firsts) => this.sendClaims(firsts));
 * }
 */
export async function claimEachKeyOnce(
  items: readonly ClaimItem[],
  claimFirsts: (firsts: readonly ClaimItem[]) => Promise<BatchResults<ClaimOutcome>>,
): Promise<BatchResults<ClaimOutcome>> {
  const firstAt = new Map<string, number>();
  const firsts: ClaimItem[] = [];
  // For each item: the index of its key's first copy in `firsts`, negative for a later copy.
  const slots = items.map((item) => {
    const seen = firstAt.get(item.key);
    if (seen !== undefined) return -1 - seen;
    firstAt.set(item.key, firsts.length);
    return firsts.push(item) - 1;
  });
  const outcomes = await claimFirsts(firsts);
  if (outcomes.length !== firsts.length) {
    throw new TypeError(`claimMany answered ${outcomes.length} items for ${firsts.length}`);
  }
  if (firsts.length === items.length) return outcomes;
  return items.map((item, at) => {
    const slot = slots[at] as number;
    if (slot >= 0) return outcomes[slot] as PromiseSettledResult<ClaimOutcome>;
    return laterCopyOutcome(outcomes[-1 - slot] as PromiseSettledResult<ClaimOutcome>, item.now);
  });
}
