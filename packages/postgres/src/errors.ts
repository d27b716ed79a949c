import { type OncelyErrorContext, StoreError } from '@oncely/core';

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

// One class for every store (defined in core), re-exported so this package's users import it from here too.
export { InvalidEffectError, TableNotFoundError } from '@oncely/core';
