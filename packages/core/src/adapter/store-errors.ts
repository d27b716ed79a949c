/**
 * The one way a store turns what its client threw into oncely's typed errors, and the
 * transport failures every networked store treats as retryable.
 */
import { OncelyError, StoreError, type StoreOperation } from '../errors.js';

/** What a store knows about a failed call, for the error it throws. */
export interface StoreFaultContext {
  readonly operation: StoreOperation;
  /** The full store key the call was for. */
  readonly storeKey: string;
  /** The store's `name`, e.g. `postgres:public.oncely`. */
  readonly storeName: string;
  /** Whether the same call may succeed later: the store's own classification. */
  readonly retryable: boolean;
}

/**
 * Turns anything a store's client threw into a {@link StoreError} carrying the key, the
 * operation, the cause and whether a retry may help, so no failure can pass for success.
 * oncely's own typed errors pass through unchanged.
 *
 * @example
 * catch (cause) {
 *   throw toStoreError(cause, { operation: 'claim', storeKey, storeName: this.name, retryable: isRetryable(cause) });
 * }
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
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/**
 * True when `error`, or an error in its `cause` chain (also `AggregateError.errors`, as
 * Node's connect throws for a host with several addresses), is a socket failure: the
 * server may not have seen the call, or its answer was lost, so the same call may work later.
 */
export function isRetryableNetworkError(error: unknown, depth = 0): boolean {
  if (error === null || typeof error !== 'object' || depth > 5) return false;
  const { code, cause, errors } = error as { code?: unknown; cause?: unknown; errors?: unknown };
  if (typeof code === 'string' && NETWORK_CODES.has(code)) return true;
  if (Array.isArray(errors) && errors.some((inner) => isRetryableNetworkError(inner, depth + 1))) {
    return true;
  }
  return isRetryableNetworkError(cause, depth + 1);
}
