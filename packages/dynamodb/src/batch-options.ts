import { InvalidOptionError } from '@oncely/core';
import { checkObject, describeValue } from '@oncely/core/adapter';
import type { StatementLimits } from './execute-statements.js';

/**
 * How `DynamoDBStore` sends batches (`claimMany`, `completeMany`, `releaseMany`).
 *
 * @example
 * new DynamoDBStore({ tableName: 'oncely', batch: { maxStatementsPerRequest: 10 } });
 */
export interface DynamoDBBatchOptions {
  /**
   * Statements per `BatchExecuteStatement` request; larger batches are split. DynamoDB's
   * own limit is 25.
   * @default 25
   */
  readonly maxStatementsPerRequest?: number;
  /**
   * Sends of one statement at most, counting the first, when it fails inside the
   * HTTP 200 with a throttle or an internal error (which the SDK does not retry), or
   * its whole request fails with a timeout or a reset. Then its key alone gets a
   * retryable `StoreError`.
   * @default 4
   */
  readonly maxAttempts?: number;
}

/** Defaults of {@link DynamoDBBatchOptions}. */
export const DYNAMODB_BATCH_DEFAULTS = {
  maxStatementsPerRequest: 25,
  maxAttempts: 4,
  /** Jittered backoff between sends: up to 25 ms, doubling, at most 400 ms. */
  backoff: { baseMs: 25, maxMs: 400 },
} as const;

/** Validates the batch options. Internal. */
export function resolveBatchOptions(options: DynamoDBBatchOptions | undefined): StatementLimits {
  if (options !== undefined) checkObject('batch', options);
  const maxStatements =
    options?.maxStatementsPerRequest ?? DYNAMODB_BATCH_DEFAULTS.maxStatementsPerRequest;
  if (!Number.isInteger(maxStatements) || maxStatements < 1 || maxStatements > 25) {
    throw new InvalidOptionError(
      'batch.maxStatementsPerRequest',
      `expected an integer from 1 to 25 (DynamoDB's limit), got ${describeValue(maxStatements)}`,
    );
  }
  const maxAttempts = options?.maxAttempts ?? DYNAMODB_BATCH_DEFAULTS.maxAttempts;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > 10) {
    throw new InvalidOptionError(
      'batch.maxAttempts',
      `expected an integer from 1 to 10, got ${describeValue(maxAttempts)}`,
    );
  }
  return { maxStatements, maxAttempts, backoff: DYNAMODB_BATCH_DEFAULTS.backoff };
}
