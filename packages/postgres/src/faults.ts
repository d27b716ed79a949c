import type { OncelyError } from '@oncely/core';
import {
  isRetryableNetworkError,
  type StoreFaultContext,
  toStoreError,
} from '@oncely/core/adapter';
import { TableNotFoundError } from './errors.js';

/**
 * SQLSTATEs after which the same call may succeed: the transaction lost a race
 * (serialization failure, deadlock), a lock or statement timed out, the server is
 * shutting down or out of connections. A statement refused for what it is (a syntax
 * error, a constraint, a bad value) fails the same way again.
 */
const RETRYABLE_SQLSTATES = new Set([
  '40001', // serialization_failure
  '40P01', // deadlock_detected
  '55P03', // lock_not_available (lock_timeout)
  '57014', // query_canceled (statement_timeout, pg_cancel_backend)
  '57P01', // admin_shutdown (pg_terminate_backend, a fast shutdown)
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up, in recovery)
  '53300', // too_many_connections
  '53400', // configuration_limit_exceeded
]);

/** SQLSTATE classes that are retryable as a whole: 08 connection exception. */
const RETRYABLE_CLASSES = new Set(['08']);

/** SQLSTATEs that mean the table is not there. */
const TABLE_MISSING = new Set(['42P01', '3F000']);

/**
 * node-postgres reports a dropped connection or a pool timeout as a plain `Error`
 * with no code, only these messages (pg 8's `client.js` and `pg-pool`).
 */
const PG_CONNECTION_MESSAGES = [
  'Connection terminated',
  'Client has encountered a connection error and is not queryable',
  'timeout exceeded when trying to connect',
  'Query read timeout',
];

interface ErrorShape {
  readonly code?: unknown;
  readonly message?: unknown;
  readonly cause?: unknown;
  readonly errors?: unknown;
}

/** The SQLSTATE of a `pg` `DatabaseError` (five characters), if `error` is one. */
export function sqlState(error: unknown): string | undefined {
  const code = (error as ErrorShape | null)?.code;
  // Every SQLSTATE has a digit: a socket code such as `EPIPE` is not one.
  return typeof code === 'string' && /^(?=.*\d)[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/**
 * Whether a failure from PostgreSQL or node-postgres may succeed when the same call is
 * made again: serialization failures and deadlocks, lock and statement timeouts,
 * terminated backends and server shutdowns, connection errors (refused, reset, dropped,
 * a pool that timed out connecting: core's `isRetryableNetworkError` and node-postgres's
 * own messages). Looks through `cause` chains and `AggregateError`s.
 *
 * @example
 * isRetryablePostgresError(Object.assign(new Error('deadlock detected'), { code: '40P01' })); // true
 */
export function isRetryablePostgresError(error: unknown): boolean {
  return isRetryableNetworkError(error) || isPostgresRetryable(error, 0);
}

/** PostgreSQL's retryable SQLSTATEs and node-postgres's connection messages, through causes. */
function isPostgresRetryable(error: unknown, depth: number): boolean {
  if (error === null || typeof error !== 'object' || depth > 5) return false;
  const shape = error as ErrorShape;
  const state = sqlState(error);
  if (state !== undefined) {
    return RETRYABLE_SQLSTATES.has(state) || RETRYABLE_CLASSES.has(state.slice(0, 2));
  }
  const message = typeof shape.message === 'string' ? shape.message : '';
  if (PG_CONNECTION_MESSAGES.some((prefix) => message.startsWith(prefix))) return true;
  if (
    Array.isArray(shape.errors) &&
    shape.errors.some((inner) => isPostgresRetryable(inner, depth + 1))
  ) {
    return true;
  }
  return isPostgresRetryable(shape.cause, depth + 1);
}

/** What the store knows about a failed call: core's context, with the table for a missing one. Internal. */
export interface FaultContext extends Omit<StoreFaultContext, 'retryable'> {
  /** The table as SQL, for the missing-table message. */
  readonly table: string;
}

/**
 * Turns anything a query threw into oncely's typed error: a missing table or schema is a
 * {@link TableNotFoundError} that says how to create it; anything else goes through core's
 * `toStoreError` (a `StoreError` with the key, the operation, the cause and
 * {@link isRetryablePostgresError}'s answer; oncely's own errors pass through), so no
 * failure can pass for success. Internal.
 */
export function postgresStoreError(cause: unknown, context: FaultContext): OncelyError {
  const state = sqlState(cause);
  if (state === undefined || !TABLE_MISSING.has(state)) {
    return toStoreError(cause, { ...context, retryable: isRetryablePostgresError(cause) });
  }
  const { operation, storeKey, table } = context;
  return new TableNotFoundError(
    `PostgreSQL table ${table} was not found (${operation} of key "${storeKey}"): create it first, with createTable(pool, { tableName }) from @oncely/postgres or the migration in its sql/ folder`,
    table,
    operation,
    { storeKey, cause },
  );
}
