import type { CancellationReason } from '@aws-sdk/client-dynamodb';
import { type OncelyErrorContext, ResultTooLargeError, StoreError } from '@oncely/core';

/**
 * The record, with its result, would exceed DynamoDB's 400 KB item limit. Refused
 * before the call; lower the deduper's `maxResultBytes` or store a smaller result.
 *
 * @example
 * if (error instanceof ItemTooLargeError) console.error(error.sizeBytes, error.maxBytes);
 */
export class ItemTooLargeError extends ResultTooLargeError {
  override name = 'ItemTooLargeError';
}

/** Which DynamoDB transaction limit a commit would break. */
export type TransactionLimit = 'items' | 'bytes';

/**
 * A commit would break a `TransactWriteItems` limit (100 items, 4 MB), counting the
 * record itself. Refused before the call; not retryable.
 *
 * @example
 * if (error instanceof TransactionLimitError) console.error(error.limit, error.actual, error.max);
 */
export class TransactionLimitError extends StoreError {
  override name = 'TransactionLimitError';
  constructor(
    message: string,
    readonly limit: TransactionLimit,
    readonly actual: number,
    readonly max: number,
    context: OncelyErrorContext,
  ) {
    super(message, 'commit', false, context);
  }
}

/**
 * DynamoDB cancelled the transaction for a reason other than the record's own
 * condition (an effect's condition failed, a conflicting transaction, throttling).
 * Nothing was written. `cancellationReasons` lines up with the transaction's items:
 * index 0 is the record, index `i + 1` is effect `i`.
 *
 * @example
 * if (error instanceof TransactionCancelledError) console.error(error.cancellationReasons);
 */
export class TransactionCancelledError extends StoreError {
  override name = 'TransactionCancelledError';
  constructor(
    message: string,
    readonly cancellationReasons: readonly CancellationReason[],
    retryable: boolean,
    context: OncelyErrorContext,
  ) {
    super(message, 'commit', retryable, context);
  }
}

// One class for every store (defined in core), re-exported so this package's users import it from here too.
export { InvalidEffectError, TableNotFoundError } from '@oncely/core';
