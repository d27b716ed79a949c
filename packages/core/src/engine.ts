import { createEmitter } from './emitter.js';
import { OncelyError, StoreError, type StoreOperation } from './errors.js';
import type { OncelyEvent } from './events.js';
import { CompletedCache } from './local-cache.js';
import type { ResolvedOptions } from './options.js';
import type { DedupRecord } from './store.js';

/** The state one deduper shares across its runs. Internal. */
export interface Engine<TInput> {
  readonly options: ResolvedOptions<TInput>;
  readonly emit: ((event: OncelyEvent) => void) | undefined;
  readonly cache: CompletedCache | undefined;
}

/** Builds the shared state from validated options. */
export function createEngine<TInput>(options: ResolvedOptions<TInput>): Engine<TInput> {
  return {
    options,
    emit: createEmitter(options.onEvent, options.logger),
    cache:
      options.localCacheEntries > 0 ? new CompletedCache(options.localCacheEntries) : undefined,
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
 */
export async function callStore<T>(
  engine: Engine<unknown>,
  id: RunIdentity,
  operation: StoreOperation,
  call: () => Promise<T>,
): Promise<T> {
  try {
    return await call();
  } catch (cause) {
    const error = toStoreError(engine, id, operation, cause);
    engine.emit?.({
      type: 'store_error',
      namespace: engine.options.namespace,
      key: id.key,
      storeKey: id.storeKey,
      at: engine.options.clock.now(),
      operation,
      error,
    });
    engine.options.logger.error(`oncely: store ${operation} failed`, {
      key: id.key,
      storeKey: id.storeKey,
      error,
    });
    throw error;
  }
}

function toStoreError(
  engine: Engine<unknown>,
  id: RunIdentity,
  operation: StoreOperation,
  cause: unknown,
): StoreError {
  if (cause instanceof StoreError) return cause;
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
