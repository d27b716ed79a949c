import type { OncelyError } from '@oncely/core';
import {
  isRetryableNetworkError,
  type StoreFaultContext,
  toStoreError,
} from '@oncely/core/adapter';
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

interface ErrorShape {
  readonly name?: unknown;
  readonly $fault?: unknown;
  readonly $retryable?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: unknown };
  readonly cause?: unknown;
}

/**
 * Whether a DynamoDB failure may succeed when the same call is made again later:
 * throttling, server faults (5xx, 429), timeouts, and the socket failures every
 * networked store retries (core's `isRetryableNetworkError`), anywhere in the cause
 * chain. Validation, access and missing-table errors are not.
 *
 * @example
 * isRetryableFault(new ProvisionedThroughputExceededException({ message: '', $metadata: {} })); // true
 */
export function isRetryableFault(error: unknown): boolean {
  return isRetryableNetworkError(error) || isDynamoRetryable(error, 0);
}

/** DynamoDB's and the SDK's own retryable names, statuses and flags, through the cause chain. */
function isDynamoRetryable(error: unknown, depth: number): boolean {
  if (error === null || typeof error !== 'object' || depth > 5) return false;
  const shape = error as ErrorShape;
  const status = shape.$metadata?.httpStatusCode;
  if (typeof shape.name === 'string' && RETRYABLE_NAMES.has(shape.name)) return true;
  if (shape.$fault === 'server' || shape.$retryable !== undefined) return true;
  if (typeof status === 'number' && (status >= 500 || status === 429)) return true;
  return isDynamoRetryable(shape.cause, depth + 1);
}

/** What the store knows about a failed call: core's context, with the table for a missing one. */
export interface FaultContext extends Omit<StoreFaultContext, 'retryable'> {
  readonly tableName: string;
}

/**
 * Turns anything a DynamoDB call threw into oncely's typed error: a missing table is a
 * {@link TableNotFoundError} that says how to create it; anything else goes through core's
 * `toStoreError` (a `StoreError` with the key, the operation, the cause and
 * {@link isRetryableFault}'s answer; oncely's own errors pass through), so no failure can
 * pass for success. Internal.
 */
export function dynamoStoreError(cause: unknown, context: FaultContext): OncelyError {
  if ((cause as ErrorShape | null)?.name !== 'ResourceNotFoundException') {
    return toStoreError(cause, { ...context, retryable: isRetryableFault(cause) });
  }
  const { operation, storeKey, tableName } = context;
  return new TableNotFoundError(
    `DynamoDB table "${tableName}" was not found (${operation} of key "${storeKey}"): create it first, e.g. with createTable(client, { tableName: '${tableName}' }) from @oncely/dynamodb, or the CloudFormation snippet in its README`,
    tableName,
    operation,
    { storeKey, cause },
  );
}
