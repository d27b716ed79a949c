import { type OncelyErrorContext, StoreError } from '@oncely/core';

/**
 * The table (or its schema) does not exist: PostgreSQL's `42P01` (undefined_table) or
 * `3F000` (invalid_schema_name). Not retryable: create it first, with
 * `createTable(pool, { tableName })` or the migration in the package's `sql/` folder.
 *
 * @example
 * if (error instanceof TableNotFoundError) console.error(`create table ${error.tableName}`);
 */
export class TableNotFoundError extends StoreError {
  override name = 'TableNotFoundError';
  constructor(
    message: string,
    /** The table as the store addresses it, e.g. `"app"."oncely_dedup"`. */
    readonly tableName: string,
    operation: StoreError['operation'],
    context: OncelyErrorContext,
  ) {
    super(message, operation, false, context);
  }
}

/**
 * An effect passed to `commit` was not made by `PostgresStore.transaction` (a
 * DynamoDB `TransactWriteItem`, a plain function). Refused before any query; not
 * retryable.
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
 * An effect failed inside the commit's transaction (its SQL was refused, its function
 * threw, the connection died under it). The transaction was rolled back: neither the
 * effects nor the record were written, so the next delivery runs again. `retryable`
 * follows the cause (a deadlock or a lost connection is; a constraint violation is not),
 * and `cause` is the error the effect raised.
 *
 * @example
 * if (error instanceof EffectFailedError) console.error(`effect #${error.index}`, error.cause);
 */
export class EffectFailedError extends StoreError {
  override name = 'EffectFailedError';
  constructor(
    message: string,
    /** The failed effect's position in the order it was added. */
    readonly index: number,
    retryable: boolean,
    context: OncelyErrorContext,
  ) {
    super(message, 'commit', retryable, context);
  }
}
