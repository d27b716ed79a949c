import { describeValue } from './adapter/describe-value.js';
import {
  checkObject,
  nonEmptyString,
  optionalBoolean,
  optionalFunction,
  positiveDuration,
  positiveInteger,
} from './adapter/option-checks.js';
import { type Clock, systemClock } from './clock.js';
import type { Duration } from './duration.js';
import { InvalidOptionError } from './errors.js';
import type { OncelyEvent, OncelyLogger } from './events.js';
import { consoleLogger } from './loggers.js';
import { jsonSerializer, type ResultSerializer } from './serializer.js';
import type { DedupStore } from './store.js';
import type { OncelyTelemetry } from './telemetry.js';

/** Options of {@link createDeduper}. `TInput` is what the fingerprint is taken from. */
export interface DeduperOptions<TInput = unknown> {
  /** Where records live: `MemoryStore`, `DynamoDBStore`, or your own {@link DedupStore}. */
  readonly store: DedupStore;
  /** Scopes keys (`namespace#key`) so two consumers of one table never collide. */
  readonly namespace: string;
  /**
   * How long a completed key is remembered: redeliveries inside this window are
   * skipped. Make it longer than the source's longest redelivery (webhook
   * providers retry for days).
   * @default '24h'
   */
  readonly ttl?: Duration;
  /**
   * How long a claim is held while the handler runs. A crashed attempt's claim is
   * taken over after this; make it longer than the handler's worst case, or turn
   * on `autoExtend`.
   * @default '60s'
   */
  readonly lease?: Duration;
  /**
   * Picks the part of the input that must match on a duplicate; it is hashed
   * canonically. A duplicate whose fingerprint differs is a `FingerprintMismatchError`.
   */
  readonly fingerprint?: (input: TInput) => unknown;
  /**
   * Keep the handler's result so duplicates replay it.
   * @default false
   */
  readonly storeResult?: boolean;
  /** How results are stored. @default jsonSerializer */
  readonly serializer?: ResultSerializer;
  /**
   * The largest serialized result kept, in bytes (DynamoDB items cap at 400 KB).
   * @default 65536
   */
  readonly maxResultBytes?: number;
  /**
   * A bounded in-process cache of COMPLETED keys, so a hot duplicate costs no store
   * call. IN_PROGRESS records are never cached. `false` turns it off.
   * @default false
   */
  readonly localCache?: false | { readonly maxEntries: number };
  /**
   * Extend the lease while the handler runs, every `fraction` of the lease
   * (`true` = every third). If an extension finds the lease lost, the handler's
   * `signal` is aborted.
   * @default false
   */
  readonly autoExtend?: boolean | { readonly fraction: number };
  /**
   * Skip the claim and commit the record together with the handler's effects in
   * one request (`store.commit`). Only for effects kept in the same store.
   * @default false
   */
  readonly transactional?: boolean;
  /**
   * Send claims, completions and releases that arrive together as one batch call
   * (`claimMany`, `completeMany`, `releaseMany`) when the store has them: a Lambda
   * batch of 10 new messages costs DynamoDB 2 requests instead of 20. A claim waits
   * for siblings until the end of the current turn of the event loop (or `waitMs`);
   * a completion never waits longer than the turn it finished in, so finished work
   * is recorded at once. A lone call is sent as the single call. `false` turns it off.
   * @default { maxItems: 100, waitMs: 0 }
   */
  readonly batching?: boolean | { readonly maxItems?: number; readonly waitMs?: number };
  /** The time source. @default systemClock */
  readonly clock?: Clock;
  /** Receives every event; must not throw (errors are logged and dropped). */
  readonly onEvent?: (event: OncelyEvent) => void;
  /**
   * Where oncely's warnings and errors go (the levels are in the README's logging table).
   * `silentLogger` turns them off.
   * @default consoleLogger (info and above to the console)
   */
  readonly logger?: OncelyLogger;
  /**
   * Spans and metrics: `openTelemetry()` from `@oncely/telemetry/opentelemetry`, or
   * `powertools(...)` from `@oncely/telemetry/powertools`. Off when not given.
   */
  readonly telemetry?: OncelyTelemetry;
}

/** Defaults of {@link DeduperOptions}, in one place. */
export const DEDUPER_DEFAULTS = {
  ttl: '24h',
  lease: '60s',
  storeResult: false,
  maxResultBytes: 64 * 1024,
  localCache: false,
  autoExtend: false,
  autoExtendFraction: 1 / 3,
  transactional: false,
  batching: { maxItems: 100, waitMs: 0 },
} as const;

/** Options after validation, with durations in milliseconds. */
export interface ResolvedOptions<TInput> {
  readonly store: DedupStore;
  readonly namespace: string;
  readonly ttlMs: number;
  readonly leaseMs: number;
  readonly fingerprint: ((input: TInput) => unknown) | undefined;
  readonly storeResult: boolean;
  readonly serializer: ResultSerializer;
  readonly maxResultBytes: number;
  readonly localCacheEntries: number;
  readonly autoExtendFraction: number;
  readonly transactional: boolean;
  /** `undefined` when batching is off. */
  readonly batching: { readonly maxItems: number; readonly waitMs: number } | undefined;
  readonly clock: Clock;
  readonly onEvent: ((event: OncelyEvent) => void) | undefined;
  readonly logger: OncelyLogger;
  readonly telemetry: OncelyTelemetry | undefined;
}

/** Validates options once, at construction; a bad one throws naming the option. */
export function resolveOptions<TInput>(options: DeduperOptions<TInput>): ResolvedOptions<TInput> {
  checkObject('options', options);
  const { store } = options;
  if (!store || typeof store.claim !== 'function' || typeof store.complete !== 'function') {
    throw new InvalidOptionError(
      'store',
      `expected a DedupStore (claim, complete, release, ...), got ${describeValue(store)}`,
    );
  }
  const namespace = nonEmptyString('namespace', options.namespace);
  const ttlMs = positiveDuration('ttl', options.ttl, DEDUPER_DEFAULTS.ttl);
  const leaseMs = positiveDuration('lease', options.lease, DEDUPER_DEFAULTS.lease);
  if (ttlMs < leaseMs) {
    throw new InvalidOptionError(
      'ttl',
      `must be at least the lease (${leaseMs} ms), got ${ttlMs} ms`,
    );
  }
  optionalFunction('fingerprint', options.fingerprint);
  optionalFunction('onEvent', options.onEvent);
  const maxResultBytes = positiveInteger(
    'maxResultBytes',
    options.maxResultBytes,
    DEDUPER_DEFAULTS.maxResultBytes,
  );
  if (store.maxResultBytes !== undefined && maxResultBytes > store.maxResultBytes) {
    throw new InvalidOptionError(
      'maxResultBytes',
      `${maxResultBytes} bytes is over what the store "${store.name}" can keep with a record (${store.maxResultBytes} bytes); a result it cannot store would leave the record unfinished`,
    );
  }
  const serializer = options.serializer ?? jsonSerializer;
  if (typeof serializer.serialize !== 'function' || typeof serializer.deserialize !== 'function') {
    throw new InvalidOptionError('serializer', 'expected { serialize, deserialize }');
  }
  const transactional = optionalBoolean(
    'transactional',
    options.transactional,
    DEDUPER_DEFAULTS.transactional,
  );
  if (transactional && typeof store.commit !== 'function') {
    throw new InvalidOptionError(
      'transactional',
      `the store "${store.name}" has no commit(): it cannot run transactional mode`,
    );
  }
  return {
    store,
    namespace,
    ttlMs,
    leaseMs,
    fingerprint: options.fingerprint,
    storeResult: optionalBoolean('storeResult', options.storeResult, DEDUPER_DEFAULTS.storeResult),
    serializer,
    maxResultBytes,
    localCacheEntries: resolveCache(options.localCache),
    autoExtendFraction: resolveAutoExtend(options.autoExtend),
    transactional,
    batching: resolveBatching(options.batching),
    clock: options.clock ?? systemClock,
    onEvent: options.onEvent,
    logger: checkLogger(options.logger),
    telemetry: checkTelemetry(options.telemetry),
  };
}

const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;

function checkLogger(logger: OncelyLogger | undefined): OncelyLogger {
  if (logger === undefined) return consoleLogger;
  const missing = LOG_LEVELS.filter(
    (level) => typeof (logger as Partial<OncelyLogger> | null)?.[level] !== 'function',
  );
  if (missing.length > 0) {
    throw new InvalidOptionError(
      'logger',
      `expected a logger with debug, info, warn and error methods (console, pino through pinoLogger, Powertools' Logger), got ${describeValue(logger)}`,
    );
  }
  return logger;
}

const TELEMETRY_HOOKS = ['batch', 'message', 'storeCall', 'handler', 'event'] as const;

function checkTelemetry(telemetry: OncelyTelemetry | undefined): OncelyTelemetry | undefined {
  if (telemetry === undefined) return undefined;
  if (telemetry === null || typeof telemetry !== 'object') {
    throw new InvalidOptionError(
      'telemetry',
      `expected telemetry such as openTelemetry() from @oncely/telemetry/opentelemetry, got ${describeValue(telemetry)}`,
    );
  }
  for (const hook of TELEMETRY_HOOKS) {
    const value = telemetry[hook];
    if (value !== undefined && typeof value !== 'function') {
      throw new InvalidOptionError(
        'telemetry',
        `${hook}: expected a function, got ${describeValue(value)}`,
      );
    }
  }
  return telemetry;
}

function resolveCache(value: DeduperOptions['localCache']): number {
  if (value === undefined || value === false) return 0;
  if (!Number.isInteger(value.maxEntries) || value.maxEntries <= 0) {
    throw new InvalidOptionError(
      'localCache',
      `expected false or { maxEntries: positive integer }, got ${describeValue(value)}`,
    );
  }
  return value.maxEntries;
}

function resolveAutoExtend(value: DeduperOptions['autoExtend']): number {
  if (value === undefined || value === false) return 0;
  if (value === true) return DEDUPER_DEFAULTS.autoExtendFraction;
  if (!(value.fraction > 0 && value.fraction < 1)) {
    throw new InvalidOptionError(
      'autoExtend',
      `expected true, false or { fraction: between 0 and 1 }, got ${describeValue(value)}`,
    );
  }
  return value.fraction;
}

function resolveBatching(value: DeduperOptions['batching']): ResolvedOptions<unknown>['batching'] {
  if (value === false) return undefined;
  const defaults = DEDUPER_DEFAULTS.batching;
  if (value === undefined || value === true) return defaults;
  if (value === null || typeof value !== 'object') {
    throw new InvalidOptionError(
      'batching',
      `expected a boolean or { maxItems, waitMs }, got ${describeValue(value)}`,
    );
  }
  const maxItems = value.maxItems ?? defaults.maxItems;
  const waitMs = value.waitMs ?? defaults.waitMs;
  if (!Number.isInteger(maxItems) || maxItems < 1) {
    throw new InvalidOptionError(
      'batching',
      `maxItems: expected a positive integer, got ${describeValue(maxItems)}`,
    );
  }
  if (!(Number.isFinite(waitMs) && waitMs >= 0 && waitMs <= 1000)) {
    throw new InvalidOptionError(
      'batching',
      `waitMs: expected 0 to 1000 ms, got ${describeValue(waitMs)}`,
    );
  }
  return { maxItems, waitMs };
}
