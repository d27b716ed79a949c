import type { RunContext } from './context.js';
import { callStore, createEngine, type Engine, type RunIdentity } from './engine.js';
import { InvalidOptionError } from './errors.js';
import { fingerprintFor } from './fingerprint-check.js';
import { toStoreKey } from './keys.js';
import { type DeduperOptions, resolveOptions } from './options.js';
import type { RunResult } from './result.js';
import { duplicateResult, runClaimed } from './run-claimed.js';
import { runTransactional } from './run-transactional.js';
import type { DedupRecord } from './store.js';

/** Per-run options of {@link Deduper.run}. */
export interface RunOptions<TInput> {
  /** The payload the `fingerprint` picker reads. */
  readonly input?: TInput;
  /** This run's lease in ms, e.g. capped by a Lambda's remaining time. @default the deduper's lease */
  readonly leaseMs?: number;
}

/** Runs handlers at most once per key. Made once with {@link createDeduper}; safe to share. */
export interface Deduper<TInput = unknown> {
  readonly namespace: string;
  /** The configured lease, in ms. */
  readonly leaseMs: number;
  /** The configured dedup window, in ms. */
  readonly ttlMs: number;
  /**
   * Runs `fn` unless `key` was already processed inside the dedup window.
   *
   * - new key: runs `fn`, completes the record, returns `{ status: 'processed', result }`
   * - completed key: skips `fn`, returns `{ status: 'duplicate', result }` (the stored
   *   result when `storeResult` is on)
   * - key held by a live lease: throws `InProgressError` (retry later)
   * - `fn` throws: releases the key and rethrows the same error
   * - the lease was taken over before completion: throws `LeaseLostError`
   * - the store fails: throws `StoreError` (never counts as success)
   */
  run<T>(
    key: string,
    fn: (context: RunContext) => Promise<T> | T,
    options?: RunOptions<TInput>,
  ): Promise<RunResult<T>>;
  /**
   * Wraps a function so each call runs at most once per key.
   *
   * @example
   * const charge = deduper.wrap((order: Order) => order.id, (order) => payments.charge(order));
   * await charge(order); // { status: 'processed', result }
   */
  wrap<TArgs extends TInput, T>(
    keyOf: (input: TArgs) => string,
    fn: (input: TArgs, context: RunContext) => Promise<T> | T,
  ): (input: TArgs) => Promise<RunResult<T>>;
  /** The full store key for `key`. */
  storeKey(key: string): string;
  /** Reads a key's record (operators); `undefined` when absent or expired. */
  get(key: string): Promise<DedupRecord | undefined>;
  /** Deletes a key's record so the next delivery runs again (operators). */
  delete(key: string): Promise<void>;
}

/**
 * Makes a deduper: the engine that gives a handler effectively-once effects on
 * top of at-least-once delivery.
 *
 * @example
 * import { createDeduper, MemoryStore } from '@oncely/core';
 *
 * const deduper = createDeduper({ store: new MemoryStore(), namespace: 'payments', ttl: '24h' });
 * const outcome = await deduper.run(event.id, () => chargeCard(event));
 * if (outcome.status === 'duplicate') console.log('already charged');
 */
export function createDeduper<TInput = unknown>(options: DeduperOptions<TInput>): Deduper<TInput> {
  const resolved = resolveOptions(options);
  // The input type only matters to the fingerprint picker; the flows treat it as opaque.
  const engine = createEngine(resolved) as unknown as Engine<unknown>;
  const { namespace, store, clock, leaseMs, ttlMs, transactional } = resolved;
  const run = transactional ? runTransactional : runClaimed;

  const deduper: Deduper<TInput> = {
    namespace,
    leaseMs,
    ttlMs,
    async run<T>(
      key: string,
      fn: (context: RunContext) => Promise<T> | T,
      runOptions?: RunOptions<TInput>,
    ) {
      const id: RunIdentity = { key, storeKey: toStoreKey(namespace, key) };
      const fingerprint = fingerprintFor(engine, id, runOptions?.input as unknown);
      const cached = engine.cache?.get(id.storeKey, clock.now());
      if (cached !== undefined)
        return duplicateResult<T>(engine, id, cached, fingerprint, clock.now());
      return run<T>(engine, {
        id,
        fingerprint,
        leaseMs: runLease(runOptions?.leaseMs, leaseMs),
        fn,
      });
    },
    wrap(keyOf, fn) {
      return (input) => deduper.run(keyOf(input), (context) => fn(input, context), { input });
    },
    storeKey: (key) => toStoreKey(namespace, key),
    async get(key) {
      const id = { key, storeKey: toStoreKey(namespace, key) };
      return callStore(engine, id, 'get', () => store.get(id.storeKey, { now: clock.now() }));
    },
    async delete(key) {
      const id = { key, storeKey: toStoreKey(namespace, key) };
      engine.cache?.delete(id.storeKey);
      await callStore(engine, id, 'delete', () => store.delete(id.storeKey));
    },
  };
  return deduper;
}

function runLease(requested: number | undefined, configured: number): number {
  if (requested === undefined) return configured;
  if (!(Number.isFinite(requested) && requested > 0)) {
    throw new InvalidOptionError(
      'leaseMs',
      `expected a positive number of ms, got ${String(requested)}`,
    );
  }
  return requested;
}
