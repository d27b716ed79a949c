import {
  claimEachKeyOnce,
  claimRecord,
  committedRecord,
  expiresAtFor,
  isClaimable,
  isExpired,
  isLeaseLive,
} from './record.js';
import type {
  BatchResults,
  ClaimItem,
  ClaimOptions,
  ClaimOutcome,
  CommitOptions,
  CommitOutcome,
  CompleteItem,
  CompleteOptions,
  DedupRecord,
  DedupStore,
  ExtendOptions,
  FencedOutcome,
  ReleaseItem,
} from './store.js';

/** Options of {@link MemoryStore}. */
export interface MemoryStoreOptions {
  /**
   * Sweep expired records after this many writes, so memory stays bounded by the
   * live records rather than by everything ever seen.
   * @default 10000
   */
  readonly sweepEvery?: number;
}

/**
 * An effect the in-memory store can commit atomically in {@link MemoryStore.commit}:
 * a function run synchronously, only if the record commits.
 */
export type MemoryEffect = () => void;

const LOST: FencedOutcome = { ok: false, reason: 'lease_lost' };

/** The answer of a claim or a commit that finds the key held, the same for both. */
type Taken = Extract<ClaimOutcome, { kind: 'in_progress' | 'duplicate' }>;

/**
 * How a claim or a commit answers when `existing` still holds the key: `in_progress`
 * while its lease is live, `duplicate` once it completed; `undefined` when the key is free.
 */
function takenBy(existing: DedupRecord | undefined, now: number): Taken | undefined {
  if (existing === undefined || isClaimable(existing, now)) return undefined;
  return isLeaseLive(existing, now)
    ? { kind: 'in_progress', record: existing, retryAfterMs: existing.leaseUntil - now }
    : { kind: 'duplicate', record: existing };
}

/**
 * The embedded default store: one process, atomic because each operation runs
 * synchronously between awaits. Right for tests, demos and single-instance
 * workers; use DynamoDB (or another shared store) when several processes consume.
 *
 * @example
 * const deduper = createDeduper({ store: new MemoryStore(), namespace: 'payments' });
 */
export class MemoryStore implements DedupStore {
  readonly name = 'memory';
  private readonly records = new Map<string, DedupRecord>();
  private readonly sweepEvery: number;
  private writesSinceSweep = 0;

  constructor(options: MemoryStoreOptions = {}) {
    this.sweepEvery = options.sweepEvery ?? 10_000;
  }

  /** The number of records held, live or not yet swept. */
  get size(): number {
    return this.records.size;
  }

  async claim(key: string, options: ClaimOptions): Promise<ClaimOutcome> {
    const { now } = options;
    const existing = this.records.get(key);
    const taken = takenBy(existing, now);
    if (taken) return taken;
    const record = claimRecord(key, options);
    const { token } = record;
    this.write(record, now);
    const previous = existing !== undefined && !isExpired(existing, now) ? existing : undefined;
    return previous
      ? { kind: 'claimed', token, record, previous }
      : { kind: 'claimed', token, record };
  }

  async complete(key: string, token: string, options: CompleteOptions): Promise<FencedOutcome> {
    const existing = this.records.get(key);
    if (existing?.token !== token) return this.lost(existing);
    const record: DedupRecord = {
      ...existing,
      status: 'COMPLETED',
      expiresAt: expiresAtFor(options.now, options.ttlMs),
      ...(options.result === undefined ? {} : { result: options.result }),
    };
    this.write(record, options.now);
    return { ok: true, record };
  }

  async release(key: string, token: string): Promise<FencedOutcome> {
    const existing = this.records.get(key);
    if (existing?.token !== token) return this.lost(existing);
    this.records.delete(key);
    return { ok: true };
  }

  async extendLease(key: string, token: string, options: ExtendOptions): Promise<FencedOutcome> {
    const existing = this.records.get(key);
    if (existing?.token !== token || existing.status !== 'IN_PROGRESS') return this.lost(existing);
    const record: DedupRecord = { ...existing, leaseUntil: options.now + options.leaseMs };
    this.write(record, options.now);
    return { ok: true, record };
  }

  async get(key: string, options: { readonly now: number }): Promise<DedupRecord | undefined> {
    const record = this.records.get(key);
    return record === undefined || isExpired(record, options.now) ? undefined : record;
  }

  async delete(key: string): Promise<void> {
    this.records.delete(key);
  }

  /**
   * Commits a COMPLETED record and runs `effects` (functions) in the same
   * synchronous step, or neither, when the key is already taken.
   */
  async commit(key: string, options: CommitOptions): Promise<CommitOutcome> {
    const { now } = options;
    const taken = takenBy(this.records.get(key), now);
    if (taken) return taken;
    for (const effect of options.effects) {
      if (typeof effect !== 'function') {
        throw new TypeError('MemoryStore.commit takes effects as functions');
      }
    }
    const record = committedRecord(key, options);
    for (const effect of options.effects as MemoryEffect[]) effect();
    this.write(record, now);
    return { kind: 'committed', record };
  }

  /** Claims each item in order, as `claim` would one by one (a repeated key finds the first copy's claim). */
  claimMany(items: readonly ClaimItem[]): Promise<BatchResults<ClaimOutcome>> {
    return claimEachKeyOnce(items, (firsts) =>
      settleEach(firsts, (item) => this.claim(item.key, item)),
    );
  }

  /** Completes each item in order, as `complete` would one by one. */
  completeMany(items: readonly CompleteItem[]): Promise<BatchResults<FencedOutcome>> {
    return settleEach(items, (item) => this.complete(item.key, item.token, item));
  }

  /** Releases each item in order, as `release` would one by one. */
  releaseMany(items: readonly ReleaseItem[]): Promise<BatchResults<FencedOutcome>> {
    return settleEach(items, (item) => this.release(item.key, item.token));
  }

  /** Drops every expired record now. */
  sweep(now = Date.now()): void {
    for (const [key, record] of this.records) {
      if (isExpired(record, now)) this.records.delete(key);
    }
    this.writesSinceSweep = 0;
  }

  private write(record: DedupRecord, now: number): void {
    this.records.set(record.key, record);
    if (++this.writesSinceSweep >= this.sweepEvery) this.sweep(now);
  }

  private lost(current: DedupRecord | undefined): FencedOutcome {
    return current === undefined ? LOST : { ok: false, reason: 'lease_lost', current };
  }
}

/** Runs `operation` on each item in order; each operation completes before the next starts. */
async function settleEach<I, O>(
  items: readonly I[],
  operation: (item: I) => Promise<O>,
): Promise<BatchResults<O>> {
  const results: PromiseSettledResult<O>[] = [];
  for (const item of items) {
    try {
      results.push({ status: 'fulfilled', value: await operation(item) });
    } catch (reason) {
      results.push({ status: 'rejected', reason });
    }
  }
  return results;
}
