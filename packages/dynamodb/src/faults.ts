import { OncelyError, StoreError, type StoreOperation } from '@oncely/core';
import { TableNotFoundError } from './errors.js';

/** Error names DynamoDB and the SDK use for throttling and transient failures. */
const RETRYABLE_NAMES = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'LimitExceededException',
  'TransactionConflictException',
  'TransactionInProgressException',
  'InternalServerError',
  'ServiceUnavailable',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
]);

/** Node.js socket errors that mean the request may not have arrived, or its answer did not. */
const RETRYABLE_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);

interface ErrorShape {
  readonly name?: unknown;
  readonly code?: unknown;
  readonly $fault?: unknown;
  readonly $retryable?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: unknown };
  readonly cause?: unknown;
}

/**
 * Whether a DynamoDB failure may succeed when the same call is made again later:
 * throttling, server faults (5xx), timeouts and connection resets. Validation,
 * access and missing-table errors are not.
 *
 * @example
 * isRetryableFault(new ProvisionedThroughputExceededException({ message: '', $metadata: {} })); // true
 */
export function isRetryableFault(error: unknown, depth = 0): boolean {
  if (error === null || typeof error !== 'object' || depth > 5) return false;
  const shape = error as ErrorShape;
  const status = shape.$metadata?.httpStatusCode;
  if (typeof shape.name === 'string' && RETRYABLE_NAMES.has(shape.name)) return true;
  if (typeof shape.code === 'string' && RETRYABLE_CODES.has(shape.code)) return true;
  if (shape.$fault === 'server' || shape.$retryable !== undefined) return true;
  if (typeof status === 'number' && (status >= 500 || status === 429)) return true;
  return isRetryableFault(shape.cause, depth + 1);
}

/** What the store knows about a failed call, for the error it throws. */
export interface FaultContext {
  readonly operation: StoreOperation;
  readonly storeKey: string;
  readonly tableName: string;
  readonly storeName: string;
}

/**
 * Turns anything a DynamoDB call threw into a {@link StoreError} carrying the key,
 * the operation, the cause and whether a retry may help, so no failure can pass
 * for success. oncely's own typed errors pass through unchanged.
 */
export function toStoreError(cause: unknown, context: FaultContext): OncelyError {
  if (cause instanceof OncelyError) return cause;
  const { operation, storeKey, tableName, storeName } = context;
  const errorContext = { storeKey, cause };
  const name = (cause as ErrorShape | null)?.name;
  if (name === 'ResourceNotFoundException') {
    return new TableNotFoundError(
      `DynamoDB table "${tableName}" was not found (${operation} of key "${storeKey}"): create it first, e.g. with createTable(client, { tableName: '${tableName}' }) from @oncely/dynamodb, or the CloudFormation snippet in its README`,
      tableName,
      operation,
      errorContext,
    );
  }
  const retryable = isRetryableFault(cause);
  const reason = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
  return new StoreError(
    `Store "${storeName}" failed to ${operation} key "${storeKey}" (${retryable ? 'retryable' : 'not retryable'}): ${reason}`,
    operation,
    retryable,
    errorContext,
  );
}
