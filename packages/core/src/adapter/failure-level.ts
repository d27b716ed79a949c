import { InProgressError } from '../errors.js';

/** The level an adapter logs a message's failure at. */
export type FailureLevel = 'error' | 'warn' | 'info';

/**
 * The level at which an adapter logs a message that failed with `error`, once, where it
 * decides the message's fate: `info` when another delivery holds the key (it comes back
 * and finds the first copy's result), `error` for the rest (the handler's error, a store
 * error, a lost lease, an unreadable key). An adapter adds its own cases first (SQS: a FIFO
 * group blocked is `info`, an invocation out of time `warn`); the README's logging table
 * lists them all.
 *
 * @example
 * logger[failureLevel(error)](`oncely: message ${id} failed`, { messageId: id, key, error });
 */
export function failureLevel(error: unknown): FailureLevel {
  return error instanceof InProgressError ? 'info' : 'error';
}
