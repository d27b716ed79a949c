import type { DedupRecord } from './store.js';

/** Context every oncely error may carry. */
export interface OncelyErrorContext {
  /** The caller's key (before namespacing), when known. */
  readonly key?: string;
  /** The full store key, when known. */
  readonly storeKey?: string;
  /** The record found in the store, when one was. */
  readonly record?: DedupRecord;
  readonly cause?: unknown;
}

/**
 * Marks every oncely error, in the global symbol registry so that each copy of
 * `@oncely/core` in one process (an adapter that resolved its own copy) uses the same one.
 */
const ONCELY_ERROR = Symbol.for('@oncely/core/error');

/**
 * True when `value` is an error of class `type`, or of a class of that name in another
 * copy of `@oncely/core`. `instanceof` alone compares classes, and two copies define two
 * of each, so an adapter's `error instanceof InProgressError` would miss the errors of the
 * core its store was built with. Ancestors are compared by class name (`constructor.name`,
 * which tools that rename classes in one bundle rename consistently within that copy only).
 */
function isOncelyErrorOf(
  type: abstract new (...args: never[]) => unknown,
  value: unknown,
): boolean {
  if (Function.prototype[Symbol.hasInstance].call(type, value)) return true;
  if (typeof value !== 'object' || value === null || !(ONCELY_ERROR in value)) return false;
  for (
    let proto = Object.getPrototypeOf(value);
    proto !== null;
    proto = Object.getPrototypeOf(proto)
  ) {
    if (Object.hasOwn(proto, 'constructor') && proto.constructor.name === type.name) return true;
  }
  return false;
}

/**
 * The base class of every error oncely throws. Catch it to tell oncely's own
 * outcomes apart from your handler's errors, which oncely always rethrows as is.
 *
 * `instanceof` works across two copies of `@oncely/core` (each error is branded), so an
 * adapter and the store it is given may each have resolved their own copy.
 */
export class OncelyError extends Error {
  override name = 'OncelyError';
  readonly key: string | undefined;
  readonly storeKey: string | undefined;
  readonly record: DedupRecord | undefined;

  /** Brand-aware `instanceof`, inherited by every subclass; see {@link OncelyError}. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the subclass on the right of `instanceof`.
    return isOncelyErrorOf(this, value);
  }

  constructor(message: string, context: OncelyErrorContext = {}) {
    super(message, context.cause === undefined ? undefined : { cause: context.cause });
    this.key = context.key;
    this.storeKey = context.storeKey;
    this.record = context.record;
    // Not enumerable: logs and JSON of the error stay as they were.
    Object.defineProperty(this, ONCELY_ERROR, { value: true });
  }
}

/**
 * Gives an oncely error the caller's key when it has none yet (a store knows only the
 * store key; the deduper knows both), so every error that leaves the deduper names it.
 * Internal.
 */
export function withKey<E extends OncelyError>(
  error: E,
  id: { readonly key: string; readonly storeKey: string },
): E {
  const writable = error as { key: string | undefined; storeKey: string | undefined };
  writable.key ??= id.key;
  writable.storeKey ??= id.storeKey;
  return error;
}

/** A key that is empty, not a string, or otherwise unusable. */
export class InvalidKeyError extends OncelyError {
  override name = 'InvalidKeyError';
}

/** An option that failed validation at construction; `option` names it. */
export class InvalidOptionError extends OncelyError {
  override name = 'InvalidOptionError';
  constructor(
    readonly option: string,
    message: string,
  ) {
    super(`Invalid option \`${option}\`: ${message}`);
  }
}

/**
 * Another delivery of the same key holds a live lease. Nothing ran; retry after
 * `retryAfterMs` (queues: report the message failed so it comes back later).
 */
export class InProgressError extends OncelyError {
  override name = 'InProgressError';
  constructor(
    message: string,
    readonly retryAfterMs: number,
    context: OncelyErrorContext,
  ) {
    super(message, context);
  }
}

/** The same key arrived with a different payload fingerprint than the one recorded. */
export class FingerprintMismatchError extends OncelyError {
  override name = 'FingerprintMismatchError';
  constructor(
    message: string,
    readonly expected: string | undefined,
    readonly actual: string | undefined,
    context: OncelyErrorContext,
  ) {
    super(message, context);
  }
}

/**
 * The owner token no longer owns the record: its lease expired and another
 * delivery took over (or an operator deleted it). The handler's effect may have
 * run twice; this error and the `lease_lost` event make that visible.
 */
export class LeaseLostError extends OncelyError {
  override name = 'LeaseLostError';
  constructor(
    message: string,
    readonly operation: 'complete' | 'release' | 'extendLease',
    context: OncelyErrorContext,
  ) {
    super(message, context);
  }
}

/** A result whose serialized size exceeds the cap; the effect itself was recorded. */
export class ResultTooLargeError extends OncelyError {
  override name = 'ResultTooLargeError';
  constructor(
    message: string,
    readonly sizeBytes: number,
    readonly maxBytes: number,
    context: OncelyErrorContext,
  ) {
    super(message, context);
  }
}

/** The result could not be serialized or deserialized. */
export class SerializationError extends OncelyError {
  override name = 'SerializationError';
}

/** The store operation that failed. */
export type StoreOperation =
  | 'claim'
  | 'complete'
  | 'release'
  | 'extendLease'
  | 'get'
  | 'delete'
  | 'commit';

/**
 * The store failed (throttling, a timeout, a 5xx, a missing table). Never treated
 * as success: the message must not be acknowledged, so the queue redelivers it.
 */
export class StoreError extends OncelyError {
  override name = 'StoreError';
  constructor(
    message: string,
    readonly operation: StoreOperation,
    /** Whether retrying the same call later may succeed (throttling, timeouts, 5xx). */
    readonly retryable: boolean,
    context: OncelyErrorContext,
  ) {
    super(message, context);
  }
}

/**
 * The store's table (or its schema) does not exist: DynamoDB's `ResourceNotFoundException`,
 * PostgreSQL's `42P01` / `3F000`. Not retryable: create it first (each store has a
 * `createTable` helper). One class for every store, so one `instanceof` catches it.
 *
 * @example
 * if (error instanceof TableNotFoundError) console.error(`create table ${error.tableName}`);
 */
export class TableNotFoundError extends StoreError {
  override name = 'TableNotFoundError';
  constructor(
    message: string,
    /** The table as the store addresses it, e.g. `orders-dedup` or `"app"."oncely_dedup"`. */
    readonly tableName: string,
    operation: StoreOperation,
    context: OncelyErrorContext,
  ) {
    super(message, operation, false, context);
  }
}

/**
 * An effect passed to `commit` is not one the store can apply (a DynamoDB
 * `TransactWriteItem` given to PostgreSQL, a plain object with none of the expected
 * parts). Refused before any write; not retryable.
 *
 * @example
 * if (error instanceof InvalidEffectError) console.error(`effect #${error.index}`);
 */
export class InvalidEffectError extends StoreError {
  override name = 'InvalidEffectError';
  constructor(
    message: string,
    /** The effect's position in the order it was added. */
    readonly index: number,
    context: OncelyErrorContext,
  ) {
    super(message, 'commit', false, context);
  }
}

/**
 * The input could not be turned into a key or a fingerprint (a malformed body, a
 * missing field, a value of the wrong type). Nothing was claimed.
 */
export class InvalidInputError extends OncelyError {
  override name = 'InvalidInputError';
}

/**
 * An adapter could not read a message's or request's dedup key where its `key` option
 * points: a missing header or attribute, a body that is not JSON, a missing field, a key
 * function that threw or returned no string. Nothing was claimed and the handler did not
 * run. Every adapter's key failure is a subclass (SQS's and Kafka's `MessageKeyError`,
 * webhook's `MissingKeyError`), each adding where the input sits (a message ID, a
 * topic/partition/offset, a provider), so one `instanceof KeyReadError` catches them all,
 * across copies of `@oncely/core` too.
 *
 * For adapter authors: subclass it rather than `InvalidInputError` for a key that cannot
 * be read, and keep `source` readable, since it is what an operator sees in the log.
 */
export class KeyReadError extends InvalidInputError {
  override name = 'KeyReadError';
  constructor(
    message: string,
    /** Where the key was looked for, e.g. `body field detail.id` or `header idempotency-key`. */
    readonly source: string,
    /** Why it could not be read there, e.g. `missing`, `empty` or `missing_header`. */
    readonly reason: string,
    context: OncelyErrorContext = {},
  ) {
    super(message, context);
  }
}
