/**
 * Option checks and the store-error wrapper, in the shape of `@oncely/core/adapter` (the
 * kit every oncely store is moving to). Internal: kept here until that kit is released.
 */
import { InvalidOptionError, OncelyError, StoreError, type StoreOperation } from '@oncely/core';

/** A bad option value as a short string for an error message. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return value.name ? `function ${value.name}` : 'a function';
  if (value === null || typeof value !== 'object') return String(value);
  const className = (value as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof className === 'string' && className !== 'Object'
    ? `an instance of ${className}`
    : Object.prototype.toString.call(value);
}

/** Throws unless `value` is a plain object (the options bag itself, or a nested one). */
export function checkObject<T>(name: string, value: T): asserts value is T & object {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new InvalidOptionError(name, `expected an object, got ${describeValue(value)}`);
  }
}

/** Returns `value` (or `fallback` when undefined) once it is an integer of at least `min`. */
export function positiveInteger(name: string, value: unknown, fallback?: number, min = 1): number {
  const actual = value ?? fallback;
  if (typeof actual !== 'number' || !Number.isInteger(actual) || actual < min) {
    const wanted = min === 1 ? 'a positive integer' : `an integer of at least ${min}`;
    throw new InvalidOptionError(name, `expected ${wanted}, got ${describeValue(value)}`);
  }
  return actual;
}

/** What a store knows about a failed call, for the error it throws. */
export interface StoreFaultContext {
  readonly operation: StoreOperation;
  readonly storeKey: string;
  readonly storeName: string;
  readonly retryable: boolean;
}

/**
 * Turns anything a client threw into a {@link StoreError} carrying the key, the operation,
 * the cause and whether a retry may help; oncely's own typed errors pass through unchanged.
 */
export function toStoreError(cause: unknown, context: StoreFaultContext): OncelyError {
  if (cause instanceof OncelyError) return cause;
  const { operation, storeKey, storeName, retryable } = context;
  const reason = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
  return new StoreError(
    `Store "${storeName}" failed to ${operation} key "${storeKey}" (${retryable ? 'retryable' : 'not retryable'}): ${reason}`,
    operation,
    retryable,
    { storeKey, cause },
  );
}

/** Node.js socket errors that mean the request may not have arrived, or its answer did not. */
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTCONN',
  'EAI_AGAIN',
]);

/** True when `error`, or an error in its `cause` chain (or `AggregateError.errors`), is a socket failure. */
export function isRetryableNetworkError(error: unknown, depth = 0): boolean {
  if (error === null || typeof error !== 'object' || depth > 5) return false;
  const { code, cause, errors } = error as { code?: unknown; cause?: unknown; errors?: unknown };
  if (typeof code === 'string' && NETWORK_CODES.has(code)) return true;
  if (Array.isArray(errors) && errors.some((inner) => isRetryableNetworkError(inner, depth + 1))) {
    return true;
  }
  return isRetryableNetworkError(cause, depth + 1);
}
