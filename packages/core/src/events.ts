import type { StoreOperation } from './errors.js';
import type { DedupRecord } from './store.js';

/** Fields every event carries. */
export interface EventBase {
  readonly namespace: string;
  /** The caller's key, before namespacing. */
  readonly key: string;
  /** The full store key. */
  readonly storeKey: string;
  /** Epoch milliseconds when the event happened, from the injected clock. */
  readonly at: number;
}

/**
 * Every event oncely emits, discriminated by `type`. Subscribe with the
 * `onEvent` option to count, trace or alert; `lease_lost` and `claimed` with
 * `takeover: true` are the two that mean an effect may have run twice.
 */
export type OncelyEvent =
  | (EventBase & {
      readonly type: 'claimed';
      readonly takeover: boolean;
      readonly durationMs: number;
    })
  | (EventBase & {
      readonly type: 'duplicate';
      readonly record: DedupRecord;
      readonly durationMs: number;
    })
  | (EventBase & {
      readonly type: 'in_progress';
      readonly retryAfterMs: number;
      readonly durationMs: number;
    })
  | (EventBase & {
      readonly type: 'completed';
      readonly handlerMs: number;
      readonly durationMs: number;
    })
  | (EventBase & {
      readonly type: 'released';
      readonly error: unknown;
      readonly durationMs: number;
    })
  | (EventBase & { readonly type: 'lease_extended'; readonly leaseUntil: number })
  | (EventBase & {
      readonly type: 'lease_lost';
      readonly operation: 'complete' | 'release' | 'extendLease';
      /** Whether the handler's effect may have run twice (false when nothing was committed). */
      readonly effectMayRepeat: boolean;
      readonly current?: DedupRecord;
    })
  | (EventBase & {
      readonly type: 'store_error';
      readonly operation: StoreOperation;
      readonly error: unknown;
    });

/** The `type` values of {@link OncelyEvent}. */
export type OncelyEventType = OncelyEvent['type'];

/**
 * The logger oncely writes warnings and errors to: the message first, then the context
 * (`key`, `storeKey` or `messageId`, and `error` when there is one). `console` and
 * Powertools' Logger take it as they are; wrap pino (object first) in `pinoLogger`.
 *
 * @example
 * const deduper = createDeduper({ store, namespace: 'payments', logger: console });
 */
export interface OncelyLogger {
  // `context` is always given: typed optional, Powertools' Logger (whose extra inputs
  // are `LogAttributes[]`) would not be assignable, and `logger: new Logger()` would fail
  // to compile.
  debug(message: string, context: Record<string, unknown>): void;
  info(message: string, context: Record<string, unknown>): void;
  warn(message: string, context: Record<string, unknown>): void;
  error(message: string, context: Record<string, unknown>): void;
}

/** A logger that drops everything: pass it as `logger` to keep oncely quiet (tests, benchmarks). */
export const silentLogger: OncelyLogger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
};
