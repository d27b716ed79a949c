/**
 * The storage contract every oncely store implements. It is deliberately small and
 * plain: four fenced state transitions plus two operator reads, all taking the
 * caller's clock so leases and expiry are testable without sleeping.
 */

/** The two states a live record can be in. An expired record counts as absent. */
export type RecordStatus = 'IN_PROGRESS' | 'COMPLETED';

/** One dedup record, as a store keeps it. */
export interface DedupRecord {
  /** The full store key: `namespace#key`, hashed when over 1 KiB. */
  readonly key: string;
  readonly status: RecordStatus;
  /** Random owner token written by the claim; fences complete, release and extend. */
  readonly token: string;
  /** Epoch milliseconds until which the owner holds an `IN_PROGRESS` record. */
  readonly leaseUntil: number;
  /** Epoch seconds at which the dedup window ends (the TTL attribute). */
  readonly expiresAt: number;
  /** Hash of the payload part that must match on a duplicate, when configured. */
  readonly fingerprint?: string;
  /** The serialized stored result, when results are kept. */
  readonly result?: string;
}

/** Options of {@link DedupStore.claim}. */
export interface ClaimOptions {
  /** How long the new owner holds the record, in milliseconds. */
  readonly leaseMs: number;
  /** The dedup window from now, in milliseconds. */
  readonly ttlMs: number;
  /** The payload fingerprint to store with the claim. */
  readonly fingerprint?: string;
  /** The caller's clock, epoch milliseconds. */
  readonly now: number;
}

/** The outcome of a claim, discriminated by `kind`. */
export type ClaimOutcome =
  | {
      readonly kind: 'claimed';
      /** The fresh owner token: pass it to complete, release and extendLease. */
      readonly token: string;
      readonly record: DedupRecord;
      /**
       * The record this claim replaced, when it took over an expired lease. A takeover
       * means an earlier attempt may have run its side effect: adapters report it.
       */
      readonly previous?: DedupRecord;
    }
  | { readonly kind: 'duplicate'; readonly record: DedupRecord }
  | {
      readonly kind: 'in_progress';
      readonly record: DedupRecord;
      /** Milliseconds until the current lease ends: when a retry may succeed. */
      readonly retryAfterMs: number;
    };

/** Options of {@link DedupStore.complete}. */
export interface CompleteOptions {
  /** The dedup window from now, in milliseconds. */
  readonly ttlMs: number;
  /** The serialized result to keep for replay. */
  readonly result?: string;
  readonly now: number;
}

/** Options of {@link DedupStore.extendLease}. */
export interface ExtendOptions {
  /** The new lease length from now, in milliseconds. */
  readonly leaseMs: number;
  readonly now: number;
}

/**
 * The outcome of a fenced write. `lease_lost` means the token no longer owns the
 * record (it expired and another claim took over, or it was deleted); the write
 * changed nothing.
 */
export type FencedOutcome =
  | { readonly ok: true; readonly record?: DedupRecord }
  | { readonly ok: false; readonly reason: 'lease_lost'; readonly current?: DedupRecord };

/** Options of {@link DedupStore.commit}, the optional one-request transactional path. */
export interface CommitOptions {
  readonly ttlMs: number;
  readonly result?: string;
  readonly fingerprint?: string;
  /** Store-specific writes that must commit atomically with the COMPLETED record. */
  readonly effects: readonly unknown[];
  readonly now: number;
}

/** The outcome of {@link DedupStore.commit}. */
export type CommitOutcome =
  | { readonly kind: 'committed'; readonly record: DedupRecord }
  | { readonly kind: 'duplicate'; readonly record: DedupRecord }
  | { readonly kind: 'in_progress'; readonly record: DedupRecord; readonly retryAfterMs: number };

/** One claim of a {@link DedupStore.claimMany} batch. */
export interface ClaimItem extends ClaimOptions {
  readonly key: string;
  /**
   * A hint that the key's record probably exists (the queue says the message was
   * delivered before), so a store that writes differently for existing records may try
   * that way first. Outcomes never depend on it.
   */
  readonly likelyExists?: boolean;
}

/** One completion of a {@link DedupStore.completeMany} batch. */
export interface CompleteItem extends CompleteOptions {
  readonly key: string;
  readonly token: string;
}

/** One release of a {@link DedupStore.releaseMany} batch. */
export interface ReleaseItem {
  readonly key: string;
  readonly token: string;
}

/**
 * The answer of a batch operation: one settled result per item, in the items' order.
 * An item whose write failed (a throttled statement, an item over the size limit) is
 * `rejected` with its own error, while its siblings' outcomes stand.
 */
export type BatchResults<T> = readonly PromiseSettledResult<T>[];

/**
 * A dedup store. Implementations must make `claim` atomic across every process
 * that shares the store, and make `complete`, `release` and `extendLease`
 * conditional on the owner token, so a worker whose lease was taken over can
 * never overwrite or delete the new owner's record.
 *
 * Errors that are not outcomes (throttling, timeouts, a missing table) are thrown;
 * a store should throw {@link StoreError} with `retryable` set where it can tell.
 */
export interface DedupStore {
  /** A short name for logs and errors, e.g. `memory` or `dynamodb:orders-dedup`. */
  readonly name: string;
  /** Atomically claims `key`: absent, expired or lease-expired records are taken. */
  claim(key: string, options: ClaimOptions): Promise<ClaimOutcome>;
  /** Marks the claim COMPLETED, only while `token` still owns it. */
  complete(key: string, token: string, options: CompleteOptions): Promise<FencedOutcome>;
  /** Deletes the claim so a retry can run at once, only while `token` still owns it. */
  release(key: string, token: string): Promise<FencedOutcome>;
  /** Moves `leaseUntil` forward, only while `token` owns an IN_PROGRESS record. */
  extendLease(key: string, token: string, options: ExtendOptions): Promise<FencedOutcome>;
  /** Reads a record for operators; expired records read as `undefined`. */
  get(key: string, options: { readonly now: number }): Promise<DedupRecord | undefined>;
  /** Deletes a record unconditionally (operators: force a re-run). */
  delete(key: string): Promise<void>;
  /**
   * Optional: writes the COMPLETED record together with `effects` in one atomic
   * request, with no prior claim. Stores that cannot do this leave it undefined.
   */
  commit?(key: string, options: CommitOptions): Promise<CommitOutcome>;
  /**
   * Optional: claims many keys in as few requests as the store can. Each item's
   * outcome must be what `claim` would answer for it alone, with one rule for a key
   * given more than once: the copies are claimed in order, so after the first takes
   * the key the later ones are `in_progress` (held by the first). The deduper
   * coalesces claims that arrive together into one call; a store without it gets
   * single calls.
   */
  claimMany?(items: readonly ClaimItem[]): Promise<BatchResults<ClaimOutcome>>;
  /** Optional: `complete` for many records at once, each fenced by its own token. */
  completeMany?(items: readonly CompleteItem[]): Promise<BatchResults<FencedOutcome>>;
  /** Optional: `release` for many records at once, each fenced by its own token. */
  releaseMany?(items: readonly ReleaseItem[]): Promise<BatchResults<FencedOutcome>>;
  /**
   * Optional: the largest serialized result the store can keep with a record, in
   * bytes. The deduper refuses a `maxResultBytes` above it at construction, so a
   * result is never accepted that the store would then refuse to record.
   */
  readonly maxResultBytes?: number;
}
