import { InProgressError, type TelemetryOutcome } from '@oncely/core';

/**
 * What a message's outcome is counted as: `in_progress` is the failure that only means
 * "another delivery holds the key, come back later", told apart from the other failures.
 */
export type OutcomeName = 'processed' | 'duplicate' | 'in_progress' | 'failed' | 'not_run';

/**
 * The name an outcome is counted and tagged under (`oncely.outcome`).
 *
 * @example
 * outcomeName({ status: 'failed', error: new InProgressError(...), ... }); // 'in_progress'
 */
export function outcomeName(outcome: TelemetryOutcome): OutcomeName {
  if (outcome.status !== 'failed') return outcome.status;
  return outcome.error instanceof InProgressError ? 'in_progress' : 'failed';
}

/**
 * A failure's low-cardinality type (`error.type`): the error's class name (`StoreError`,
 * `LeaseLostError`, `MessageKeyError`, or the handler's own `TypeError`...), `_OTHER` for
 * a thrown value that is not an `Error`. Never the message, which may hold data.
 */
export function errorType(error: unknown): string {
  if (error instanceof Error) return error.name || error.constructor.name || '_OTHER';
  return '_OTHER';
}
