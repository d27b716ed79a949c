import type { DedupStore } from '@oncely/core';
import type { WatermarkStore } from './watermark/store.js';

/** Store calls counted by {@link countingStore} and {@link countingWatermarkStore}. */
export interface StoreCallCounts {
  /** Requests that write: claim, complete, release, extendLease, commit, delete; advance. */
  writes: number;
  /** Requests that only read: get; read. */
  reads: number;
  /** Calls per operation name, e.g. `{ claim: 10, complete: 10 }`. */
  readonly byOperation: Record<string, number>;
}

/** A store wrapped to count its calls, and the counts. */
export interface Counted<S> {
  readonly store: S;
  readonly counts: StoreCallCounts;
}

/**
 * Wraps a {@link DedupStore} to count its requests, e.g. to measure store writes per
 * message in a benchmark (per-message mode: 2 per new message, claim + complete;
 * 1 per duplicate; transactional mode: 1 commit per message).
 *
 * @example
 * const { store, counts } = countingStore(new MemoryStore());
 * // ... consume n messages with `store` ...
 * console.log(counts.writes / n);
 */
export function countingStore(inner: DedupStore): Counted<DedupStore> {
  const counts = newCounts();
  const store: DedupStore = {
    name: inner.name,
    claim: counted(counts, 'claim', true, inner.claim.bind(inner)),
    complete: counted(counts, 'complete', true, inner.complete.bind(inner)),
    release: counted(counts, 'release', true, inner.release.bind(inner)),
    extendLease: counted(counts, 'extendLease', true, inner.extendLease.bind(inner)),
    get: counted(counts, 'get', false, inner.get.bind(inner)),
    delete: counted(counts, 'delete', true, inner.delete.bind(inner)),
    ...(inner.commit ? { commit: counted(counts, 'commit', true, inner.commit.bind(inner)) } : {}),
  };
  return { store, counts };
}

/**
 * Wraps a {@link WatermarkStore} to count its requests (watermark mode: at most one
 * `advance` per partition per batch, and one `read` per batch, or, given the
 * `consumer`, one per partition per group generation).
 *
 * @example
 * const { store, counts } = countingWatermarkStore(new MemoryWatermarkStore());
 */
export function countingWatermarkStore(inner: WatermarkStore): Counted<WatermarkStore> {
  const counts = newCounts();
  const store: WatermarkStore = {
    name: inner.name,
    read: counted(counts, 'read', false, inner.read.bind(inner)),
    advance: counted(counts, 'advance', true, inner.advance.bind(inner)),
    delete: counted(counts, 'delete', true, inner.delete.bind(inner)),
  };
  return { store, counts };
}

function newCounts(): StoreCallCounts {
  return { writes: 0, reads: 0, byOperation: {} };
}

function counted<A extends unknown[], R>(
  counts: StoreCallCounts,
  operation: string,
  write: boolean,
  call: (...args: A) => R,
): (...args: A) => R {
  return (...args) => {
    if (write) counts.writes++;
    else counts.reads++;
    counts.byOperation[operation] = (counts.byOperation[operation] ?? 0) + 1;
    return call(...args);
  };
}
