import type { OncelyError, StoreOperation } from '@oncely/core';
import { isRetryableNetworkError, toStoreError } from '@oncely/core/adapter';

/**
 * Error replies that mean "not now": the server is loading its dataset (`LOADING`), busy
 * with a long script (`BUSY`), a replica after a failover (`READONLY`), out of memory until
 * keys expire or are evicted (`OOM`), a cluster in reconfiguration (`CLUSTERDOWN`,
 * `TRYAGAIN`, `MOVED`, `ASK` that reached the caller), or a primary without its
 * replicas (`MASTERDOWN`, `NOREPLICAS`).
 */
const RETRYABLE_REPLIES = new Set([
  'LOADING',
  'BUSY',
  'READONLY',
  'OOM',
  'CLUSTERDOWN',
  'TRYAGAIN',
  'MOVED',
  'ASK',
  'MASTERDOWN',
  'NOREPLICAS',
]);

/**
 * The clients' own transport failures, by class name (node-redis leaves `name` as
 * `Error`; ioredis's are `redis-errors` classes).
 */
const RETRYABLE_CLASSES = new Set([
  // node-redis
  'TimeoutError',
  'SocketTimeoutError',
  'ConnectionTimeoutError',
  'SocketClosedUnexpectedlyError',
  'ClientOfflineError',
  'ReconnectStrategyError',
  'RootNodesUnavailableError',
  'MaxCommandRedirectionsError',
  'CommandTimeoutDuringMaintenanceError',
  'SocketTimeoutDuringMaintenanceError',
  // ioredis, iovalkey
  'MaxRetriesPerRequestError',
  'ClusterAllFailedError',
]);

/** The same failures by message, for plain `Error`s and for bundles that renamed classes. */
const RETRYABLE_MESSAGES = [
  /^Connection is closed/,
  /^Command timed out/,
  /^Command aborted due to connection close/,
  /^Stream isn't writeable/,
  /^Reached the max retries per request limit/,
  /^Socket timeout/,
  /^Socket closed unexpectedly/,
  /^The client is offline/,
  /^Connection timeout/,
  /^connect ETIMEDOUT/,
  /^Too many Cluster redirections/,
  /^All the root nodes are unavailable/,
  /^None of startup nodes is available/,
  /^Failed to refresh slots cache/,
  /^Cluster is disconnected/,
];

function isRetryableOne(error: object): boolean {
  const message = (error as { message?: unknown }).message;
  const className = error.constructor?.name;
  if (typeof className === 'string' && RETRYABLE_CLASSES.has(className)) return true;
  if (typeof message !== 'string') return false;
  // An error reply starts with its code: `LOADING Redis is loading the dataset in memory`.
  const space = message.indexOf(' ');
  const code = space < 0 ? message : message.slice(0, space);
  return RETRYABLE_REPLIES.has(code) || RETRYABLE_MESSAGES.some((pattern) => pattern.test(message));
}

/**
 * Whether a Redis failure may succeed when the same call is made again later: socket
 * errors (refused, reset, timed out), the clients' own connection and timeout errors, and
 * the error replies of a server that is loading, busy, failing over, out of memory or
 * resharding. Script errors, `WRONGTYPE`, `NOAUTH`/`NOPERM` and a closed client are not.
 * Looks through the `cause` chain.
 *
 * @example
 * isRetryableRedisError(new Error('LOADING Redis is loading the dataset in memory')); // true
 * isRetryableRedisError(new Error('WRONGTYPE Operation against a key holding the wrong kind of value')); // false
 */
export function isRetryableRedisError(error: unknown): boolean {
  if (isRetryableNetworkError(error)) return true;
  let current: unknown = error;
  for (let depth = 0; depth <= 5 && current !== null && typeof current === 'object'; depth++) {
    if (isRetryableOne(current)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/** True for the reply of EVALSHA with a script the server does not have (a restart, a new node). */
export function isNoScript(error: unknown): boolean {
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === 'string' && message.startsWith('NOSCRIPT');
}

/** What the store knows about a failed call. Internal. */
export interface RedisFaultContext {
  readonly operation: StoreOperation;
  readonly storeKey: string;
  readonly storeName: string;
}

/**
 * Turns anything a Redis call threw into a `StoreError` with the key, the operation, the
 * cause and `retryable` (see {@link isRetryableRedisError}); oncely's own errors pass
 * through. Internal.
 */
export function redisFault(cause: unknown, context: RedisFaultContext): OncelyError {
  return toStoreError(cause, { ...context, retryable: isRetryableRedisError(cause) });
}
