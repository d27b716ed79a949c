import type { BatchResults } from './store.js';

/**
 * The real timers, taken when this module loads: a test that fakes the global timers
 * must not freeze oncely's coalescing window (its handlers would never see a store
 * answer), and the window is an implementation detail, not a timer users schedule.
 */
const realSetImmediate = globalThis.setImmediate;
const realSetTimeout = globalThis.setTimeout;

/** How calls that arrive together are gathered. */
export interface CoalescerLimits {
  /** At most this many items per batch; a full batch is sent at once. */
  readonly maxItems: number;
  /**
   * How long the first item waits for siblings: `0` = the calls made in the same
   * synchronous stretch, and, while other runs are in flight, the rest of this turn of
   * the event loop.
   */
  readonly waitMs: number;
}

/** Sends one gathered batch, or (for a batch of one) the single call. */
export interface CoalescedCall<I, O> {
  readonly many: (items: readonly I[]) => Promise<BatchResults<O>>;
  readonly one: (item: I) => Promise<O>;
  /**
   * How many calls of this kind could still join: the runs in flight. With none beyond
   * the pending ones, waiting longer gains nothing, so the batch goes out at once.
   */
  readonly inFlight?: () => number;
  /**
   * Whether no sibling can join a call made now (completions: no other run is in
   * flight). Claims leave it out: the siblings of a batch's first claim start after it.
   */
  readonly alone?: () => boolean;
}

interface Pending<I, O> {
  readonly item: I;
  readonly resolve: (value: O) => void;
  readonly reject: (reason: unknown) => void;
}

/**
 * Gathers calls that arrive together into one batch call, and hands each caller its
 * own item's outcome. The calls made in one synchronous stretch (a Lambda batch's
 * records started together) are gathered at the end of it; while other runs are in
 * flight (handlers still running) the batch also waits for the rest of this turn of the
 * event loop, so completions of handlers that finished in the same turn go together. A
 * consumer handling one message at a time waits for neither, and a lone call is sent as
 * the single call, so it pays nothing for batching.
 *
 * @example
 * const claim = coalesce({ many: (items) => store.claimMany(items), one: (item) => store.claim(item.key, item) }, { maxItems: 100, waitMs: 0 });
 * await Promise.all(keys.map((key) => claim({ key, ...options }))); // one claimMany call
 */
export function coalesce<I, O>(
  call: CoalescedCall<I, O>,
  limits: CoalescerLimits,
): (item: I) => Promise<O> {
  let pending: Pending<I, O>[] = [];
  let scheduled = false;
  let deferred = false;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const flush = (): void => {
    scheduled = false;
    deferred = false;
    // A batch sent because it was full must not leave its timer to cut the next one short.
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    const batch = pending;
    pending = [];
    if (batch.length > 0) send(call, batch);
  };

  // End of the synchronous stretch: send now, unless runs in flight may still add calls
  // in this turn; then once more at the end of the turn.
  const endOfStretch = (): void => {
    if (!scheduled || deferred) return;
    if ((call.inFlight?.() ?? 0) > pending.length) {
      deferred = true;
      realSetImmediate(flush);
    } else {
      flush();
    }
  };

  return (item) => {
    // Nothing is gathering and no sibling can come: the single call, with no wait at all.
    if (pending.length === 0 && call.alone?.() === true) return call.one(item);
    return new Promise<O>((resolve, reject) => {
      pending.push({ item, resolve, reject });
      if (pending.length >= limits.maxItems) {
        flush();
      } else if (!scheduled) {
        scheduled = true;
        if (limits.waitMs > 0) timer = realSetTimeout(flush, limits.waitMs);
        else queueMicrotask(endOfStretch);
      }
    });
  };
}

function send<I, O>(call: CoalescedCall<I, O>, batch: readonly Pending<I, O>[]): void {
  if (batch.length === 1) {
    const [only] = batch as [Pending<I, O>];
    try {
      call.one(only.item).then(only.resolve, only.reject);
    } catch (error) {
      // A store that throws synchronously still rejects its caller.
      only.reject(error);
    }
    return;
  }
  const items = batch.map((entry) => entry.item);
  Promise.resolve(items)
    .then(call.many)
    .then(
      (results) => {
        for (const [index, entry] of batch.entries()) {
          const result = Array.isArray(results) ? results[index] : undefined;
          if (result?.status === 'fulfilled') entry.resolve(result.value);
          else if (result?.status === 'rejected') entry.reject(result.reason);
          else
            entry.reject(
              new TypeError(
                `the store's batch call answered no result for item ${index} of ${batch.length}`,
              ),
            );
        }
      },
      (error: unknown) => {
        for (const entry of batch) entry.reject(error);
      },
    );
}
