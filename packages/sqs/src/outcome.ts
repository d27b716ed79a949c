import type { OncelyLogger } from '@oncely/core';
import { type FailureLevel, failureLevel } from '@oncely/core/adapter';
import { EarlierCopyFailedError, GroupBlockedError, InvocationDeadlineError } from './errors.js';
import type { QueueMessage } from './message.js';

/**
 * What happened to one message. `processed` and `duplicate` are successes (the message
 * is acknowledged); `failed` leaves it on the queue, so SQS redelivers it and, after
 * `maxReceiveCount` receives, the redrive policy moves it to the dead-letter queue.
 */
export type RecordOutcome<T> =
  | {
      readonly status: 'processed' | 'duplicate';
      readonly messageId: string;
      readonly key: string;
      readonly storeKey: string;
      /** The handler's result; on a duplicate, the stored result when `storeResult` is on. */
      readonly result: T | undefined;
    }
  | {
      readonly status: 'failed';
      readonly messageId: string;
      /** The dedup key, when it could be read. */
      readonly key: string | undefined;
      /** The typed oncely error, or the handler's own error as it threw it. */
      readonly error: unknown;
    };

/** A failed outcome. */
export function failedOutcome(
  messageId: string,
  error: unknown,
  key?: string,
): Extract<RecordOutcome<never>, { status: 'failed' }> {
  return { status: 'failed', messageId, key, error };
}

/** The outcome of a FIFO message not run because `blockedBy`, earlier in its group, failed. */
export function blockedOutcome(
  message: QueueMessage<unknown>,
  blockedBy: QueueMessage<unknown>,
): Extract<RecordOutcome<never>, { status: 'failed' }> {
  return failedOutcome(
    message.messageId,
    new GroupBlockedError(message.messageId, message.groupId ?? '', blockedBy.messageId),
  );
}

/** Where outcomes go: the logger (failures) and the `onOutcome` hook (all). */
export interface OutcomeSink<T> {
  readonly logger: OncelyLogger;
  readonly onOutcome: ((outcome: RecordOutcome<T>) => void) | undefined;
}

/**
 * Logs a failure once, with its typed error, and hands every outcome to `onOutcome`.
 * Levels (the README's logging table): another delivery holds the key, or the FIFO group
 * is blocked by an earlier failure (itself logged), or an earlier copy in the batch
 * failed (itself logged), is `info`; the invocation out of time
 * is `warn`; the rest (the handler's error, a store error, a lost lease, an unreadable key)
 * is `error`.
 */
export function reportOutcome<T>(sink: OutcomeSink<T>, outcome: RecordOutcome<T>): void {
  if (outcome.status === 'failed') {
    const { error, messageId, key } = outcome;
    const name = error instanceof Error ? error.name : typeof error;
    sink.logger[levelOf(error)](
      `oncely: SQS message ${messageId} failed (${name}); left on the queue`,
      { messageId, key, error },
    );
  }
  if (!sink.onOutcome) return;
  try {
    sink.onOutcome(outcome);
  } catch (error) {
    sink.logger.error('oncely: the onOutcome hook threw; ignored', { error });
  }
}

function levelOf(error: unknown): FailureLevel {
  if (error instanceof GroupBlockedError || error instanceof EarlierCopyFailedError) return 'info';
  if (error instanceof InvocationDeadlineError) return 'warn';
  return failureLevel(error);
}
