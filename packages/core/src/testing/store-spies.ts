/**
 * Store wrappers for tests: `bindStore` to spread a store and replace one operation,
 * `spyStore` and `spyWatermarkStore` to count a store's calls per operation and to make
 * one operation fail or stall on demand while the rest pass through.
 */
import type { DedupStore } from '../store.js';
import type { WatermarkStore } from '../watermark.js';

/** The single-call operations of a {@link DedupStore} (`commit` when the store has it). */
const SINGLE_OPERATIONS = [
  'claim',
  'complete',
  'release',
  'extendLease',
  'get',
  'delete',
  'commit',
] as const;

/** The optional batch operations of a {@link DedupStore}. */
const BATCH_OPERATIONS = ['claimMany', 'completeMany', 'releaseMany'] as const;

const WATERMARK_OPERATIONS = ['read', 'advance', 'delete'] as const;

/** An operation of a {@link DedupStore}, single or batch. */
export type DedupStoreOperation =
  | (typeof SINGLE_OPERATIONS)[number]
  | (typeof BATCH_OPERATIONS)[number];

/** An operation of a {@link WatermarkStore}. */
export type WatermarkStoreOperation = (typeof WATERMARK_OPERATIONS)[number];

/** The operations that only read; every other operation counts as a write. */
const READS: ReadonlySet<string> = new Set(['get', 'read']);

/**
 * The single-call operations of `store` (not its batch operations or declared limits) as
 * own properties bound to it, so a test can spread the result and replace one; spreading
 * a class instance itself would drop its methods. Without the batch operations the
 * deduper sends every call as the single operation, so the replaced one is the one used.
 *
 * @example
 * const inner = new MemoryStore();
 * const failing: DedupStore = { ...bindStore(inner), claim: () => Promise.reject(cause) };
 */
export function bindStore(store: DedupStore): DedupStore {
  const bound = bindOperations(store, SINGLE_OPERATIONS);
  return { name: store.name, ...bound } as DedupStore;
}

/** A stall made by {@link StoreSpy.stall}. */
export interface Stall {
  /** Resolves once a call of the stalled operation is waiting. */
  readonly reached: Promise<void>;
  /** Lets the waiting calls, and every later one, through to the store. */
  release(): void;
}

/** A store wrapped by {@link spyStore} or {@link spyWatermarkStore}, and its controls. */
export interface StoreSpy<S, Operation extends string> {
  /** The wrapped store: give it to the code under test. */
  readonly store: S;
  /**
   * Calls so far per operation, failed and stalled ones included; an operation not
   * called is absent, e.g. `{ claim: 2, complete: 2 }`.
   */
  readonly calls: Readonly<Partial<Record<Operation, number>>>;
  /** Every call so far. */
  readonly total: number;
  /** Calls that write: every operation but `get` and `read`. */
  readonly writes: number;
  /** Calls that only read: `get`, `read`. */
  readonly reads: number;
  /**
   * Makes `operations` (every operation when omitted) reject with `error` until
   * {@link heal}; the store is not called. @default error `Error('<name>: <operation> failed (injected)')`
   */
  fail(operations?: Operation | readonly Operation[], error?: unknown): void;
  /** Holds every call of `operation` until the returned stall is released, or {@link heal}. */
  stall(operation: Operation): Stall;
  /** Ends the failures and stalls of `operations` (all when omitted); stalled calls go on. */
  heal(operations?: Operation | readonly Operation[]): void;
  /** Zeroes the counts. */
  reset(): void;
}

/** Options of {@link spyStore}. */
export interface SpyStoreOptions {
  /**
   * Pass the store's batch operations (`claimMany`, `completeMany`, `releaseMany`) on.
   * `false` hides them, so the deduper sends every call as the single operation (counts
   * per message rather than per batch).
   * @default true
   */
  readonly batch?: boolean;
}

/**
 * Wraps a {@link DedupStore} to count its calls per operation (batch operations
 * included) and to fail or stall one operation on demand. The wrapper has exactly the
 * operations and `maxResultBytes` the store has (without the batch ones given
 * `batch: false`), so the deduper treats it as it treats the store.
 *
 * @example
 * const spy = spyStore(new MemoryStore());
 * const deduper = createDeduper({ store: spy.store, namespace: 'ns' });
 * spy.fail('claim');             // every claim rejects: the deduper throws StoreError
 * spy.heal();
 * const stall = spy.stall('complete'); // completions wait until stall.release()
 * spy.calls;                     // { claim: 2, complete: 1 }
 */
export function spyStore(
  inner: DedupStore,
  options: SpyStoreOptions = {},
): StoreSpy<DedupStore, DedupStoreOperation> {
  const operations: DedupStoreOperation[] = [...SINGLE_OPERATIONS];
  if (options.batch !== false) operations.push(...BATCH_OPERATIONS);
  const limit = inner.maxResultBytes === undefined ? {} : { maxResultBytes: inner.maxResultBytes };
  return spyOperations(
    inner,
    operations,
    (methods) => ({ name: inner.name, ...limit, ...methods }) as DedupStore,
  );
}

/**
 * Wraps a {@link WatermarkStore} like {@link spyStore}: calls counted per operation
 * (`read`, `advance`, `delete`), one operation failed or stalled on demand.
 *
 * @example
 * const spy = spyWatermarkStore(new MemoryWatermarkStore());
 * spy.calls; // { read: 1, advance: 4 }
 */
export function spyWatermarkStore(
  inner: WatermarkStore,
): StoreSpy<WatermarkStore, WatermarkStoreOperation> {
  return spyOperations(
    inner,
    WATERMARK_OPERATIONS,
    (methods) => ({ name: inner.name, ...methods }) as WatermarkStore,
  );
}

type Call = (...args: unknown[]) => Promise<unknown>;

/** The operations of `target` it has, as own functions bound to it. */
function bindOperations(target: object, operations: readonly string[]): Record<string, Call> {
  const bound: Record<string, Call> = {};
  for (const operation of operations) {
    const method = (target as Record<string, unknown>)[operation];
    if (typeof method === 'function') bound[operation] = (method as Call).bind(target);
  }
  return bound;
}

/** One implementation for both spies: counted, failable, stallable operations. */
function spyOperations<S, Operation extends string>(
  inner: { readonly name: string },
  operations: readonly Operation[],
  makeStore: (methods: Record<string, Call>) => S,
): StoreSpy<S, Operation> {
  let calls: Partial<Record<Operation, number>> = {};
  const failures = new Map<Operation, () => unknown>();
  const stalls = new Map<
    Operation,
    { gate: Promise<void>; reached: () => void; open: () => void }
  >();
  const list = (names?: Operation | readonly Operation[]): readonly Operation[] =>
    names === undefined ? operations : typeof names === 'string' ? [names as Operation] : names;
  const count = (predicate: (operation: string) => boolean) =>
    Object.entries(calls).reduce(
      (sum, [operation, n]) => (predicate(operation) ? sum + (n as number) : sum),
      0,
    );

  const methods: Record<string, Call> = {};
  for (const [name, call] of Object.entries(bindOperations(inner, operations))) {
    const operation = name as Operation;
    methods[name] = async (...args) => {
      calls = { ...calls, [operation]: (calls[operation] ?? 0) + 1 };
      const stall = stalls.get(operation);
      if (stall) {
        stall.reached();
        await stall.gate;
      }
      const failure = failures.get(operation);
      if (failure) throw failure();
      return call(...args);
    };
  }

  const heal = (names?: Operation | readonly Operation[]) => {
    for (const operation of list(names)) {
      failures.delete(operation);
      stalls.get(operation)?.open();
      stalls.delete(operation);
    }
  };

  return {
    store: makeStore(methods),
    get calls() {
      return calls;
    },
    get total() {
      return count(() => true);
    },
    get writes() {
      return count((operation) => !READS.has(operation));
    },
    get reads() {
      return count((operation) => READS.has(operation));
    },
    fail(names, error) {
      for (const operation of list(names)) {
        failures.set(operation, () =>
          error === undefined ? new Error(`${inner.name}: ${operation} failed (injected)`) : error,
        );
      }
    },
    stall(operation) {
      // One stall per operation: a new one lets the previous one's calls through.
      stalls.get(operation)?.open();
      let reached!: () => void;
      let open!: () => void;
      const reachedPromise = new Promise<void>((resolve) => {
        reached = resolve;
      });
      const gate = new Promise<void>((resolve) => {
        open = resolve;
      });
      stalls.set(operation, { gate, reached, open });
      return {
        reached: reachedPromise,
        release: () => {
          if (stalls.get(operation)?.gate === gate) stalls.delete(operation);
          open();
        },
      };
    },
    heal,
    reset() {
      calls = {};
    },
  };
}
