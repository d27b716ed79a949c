import { coalesce } from './coalescer.js';
import { createEmitter } from './emitter.js';
import { OncelyError, StoreError, type StoreOperation, withKey } from './errors.js';
import type { OncelyEvent } from './events.js';
import { CompletedCache } from './local-cache.js';
import type { ResolvedOptions } from './options.js';
import type {
  ClaimItem,
  ClaimOutcome,
  CompleteItem,
  DedupRecord,
  DedupStore,
  FencedOutcome,
  ReleaseItem,
} from './store.js';

/**
 * The store's three hot-path transitions as the flows call them: straight to the
 * store, or through a coalescer into its batch operations. Internal.
 */
export interface StoreCalls {
  readonly claim: (item: ClaimItem) => Promise<ClaimOutcome>;
  readonly complete: (item: CompleteItem) => Promise<FencedOutcome>;
  readonly release: (item: ReleaseItem) => Promise<FencedOutcome>;
}

/** The state one deduper shares across its runs. Internal. */
export interface Engine<TInput> {
  readonly options: ResolvedOptions<TInput>;
  readonly emit: ((event: OncelyEvent) => void) | undefined;
  readonly cache: CompletedCache | undefined;
  readonly calls: StoreCalls;
  /**
   * Claim-mode runs between their claim and their completion or release: how many
   * store calls may still join a batch being gathered.
   */
  readonly runs: { active: number };
}

/** Builds the shared state from validated options. */
export function createEngine<TInput>(options: ResolvedOptions<TInput>): Engine<TInput> {
  const runs = { active: 0 };
  return {
    options,
    emit: createEmitter(options.onEvent, options.telemetry?.event, options.logger),
    cache:
      options.localCacheEntries > 0 ? new CompletedCache(options.localCacheEntries) : undefined,
    calls: storeCalls(options.store, options.batching, runs),
    runs,
  };
}

function storeCalls(
  store: DedupStore,
  batching: ResolvedOptions<unknown>['batching'],
  runs: { readonly active: number },
): StoreCalls {
  const single: StoreCalls = {
    claim: (item) => store.claim(item.key, item),
    complete: (item) => store.complete(item.key, item.token, item),
    release: (item) => store.release(item.key, item.token),
  };
  if (batching === undefined) return single;
  // A completion is never held back for siblings beyond the turn it finished in:
  // finished work must be recorded before a crash or a deadline can lose it.
  const turn = { maxItems: batching.maxItems, waitMs: 0 };
  const inFlight = () => runs.active;
  // A completion or release while no other run is in flight has no sibling to wait for.
  const alone = () => runs.active <= 1;
  const { claimMany, completeMany, releaseMany } = store;
  return {
    claim: claimMany
      ? coalesce(
          { many: (items) => claimMany.call(store, items), one: single.claim, inFlight },
          batching,
        )
      : single.claim,
    complete: completeMany
      ? coalesce(
          {
            many: (items) => completeMany.call(store, items),
            one: single.complete,
            inFlight,
            alone,
          },
          turn,
        )
      : single.complete,
    release: releaseMany
      ? coalesce(
          {
            many: (items) => releaseMany.call(store, items),
            one: single.release,
            inFlight,
            alone,
          },
          turn,
        )
      : single.release,
  };
}

/** The identity of one run, carried into errors and events. */
export interface RunIdentity {
  readonly key: string;
  readonly storeKey: string;
}

/**
 * Calls the store and turns anything it throws into a {@link StoreError} with the
 * key, the operation and the cause, so a store failure can never pass for success.
 * The failure is emitted (`store_error`) but not logged: the caller that decides what it
 * means for the message logs it, once (an adapter with the message ID; the engine itself
 * where it swallows one).
 */
export async function callStore<T>(
  engine: Engine<unknown>,
  id: RunIdentity,
  operation: StoreOperation,
  call: () => Promise<T>,
): Promise<T> {
  const observe = engine.options.telemetry?.storeCall;
  try {
    if (observe === undefined) return await call();
    const { namespace, store } = engine.options;
    return await observe({ operation, namespace, store: store.name }, call);
  } catch (cause) {
    const error = runStoreError(engine, id, operation, cause);
    engine.emit?.({
      type: 'store_error',
      namespace: engine.options.namespace,
      key: id.key,
      storeKey: id.storeKey,
      at: engine.options.clock.now(),
      operation,
      error,
    });
    throw error;
  }
}

/** A store failure as the error this run throws: with its own key, even when a batch failed as a whole. */
function runStoreError(
  engine: Engine<unknown>,
  id: RunIdentity,
  operation: StoreOperation,
  cause: unknown,
): StoreError {
  // A store's error for this very key gains the caller's key; one shared by a whole
  // batch (a failed request) is wrapped per key, so each caller's error names its own.
  if (cause instanceof StoreError && (cause.storeKey ?? id.storeKey) === id.storeKey) {
    return withKey(cause, id);
  }
  if (cause instanceof StoreError) {
    return new StoreError(
      `Store "${engine.options.store.name}" failed to ${operation} key "${id.storeKey}": ${cause.message}`,
      operation,
      cause.retryable,
      { key: id.key, storeKey: id.storeKey, cause },
    );
  }
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new StoreError(
    `Store "${engine.options.store.name}" failed to ${operation} key "${id.storeKey}": ${reason}`,
    operation,
    // A store that refuses a write with one of oncely's typed errors (a result over
    // its item limit) will refuse it again: retrying cannot help.
    !(cause instanceof OncelyError),
    { key: id.key, storeKey: id.storeKey, cause },
  );
}

/** Reads back a stored result; a record without one replays `undefined`. */
export function replayResult(engine: Engine<unknown>, record: DedupRecord): unknown {
  if (!engine.options.storeResult || record.result === undefined) return undefined;
  return engine.options.serializer.deserialize(record.result);
}
