import { KeyReadError, OncelyError } from '@oncely/core';

/**
 * The message body could not be parsed as JSON, and the key is read from it. Nothing
 * was claimed; the message stays on the queue, so after `maxReceiveCount` receives the
 * redrive policy moves it to the dead-letter queue. A key failure like
 * {@link MessageKeyError}: a subclass of core's `KeyReadError` (`source` the body field,
 * `reason` `unparseable_body`), so one `instanceof KeyReadError` catches it too.
 */
export class MessageBodyError extends KeyReadError {
  override name = 'MessageBodyError';
  constructor(
    readonly messageId: string,
    cause: unknown,
    /** Where the key was looked for, e.g. `body field detail.id`. */
    source = 'body',
  ) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(
      `SQS message ${messageId}: the body is not valid JSON (${reason})`,
      source,
      'unparseable_body',
      { cause },
    );
  }
}

/**
 * The message has no usable dedup key where the `key` option points: the body field or
 * message attribute is missing, empty, or not a string or number. Nothing was claimed,
 * so many keyless messages can never collapse onto one record. A subclass of core's
 * `KeyReadError` (`source` says where the key was looked for, `reason` why it failed),
 * so one `instanceof KeyReadError` catches the key failures of every adapter.
 */
export class MessageKeyError extends KeyReadError {
  override name = 'MessageKeyError';
  constructor(
    readonly messageId: string,
    source: string,
    reason: string,
    cause?: unknown,
  ) {
    super(
      `SQS message ${messageId}: no dedup key in ${source} (${reason})`,
      source,
      reason,
      cause === undefined ? {} : { cause },
    );
  }
}

/**
 * FIFO: an earlier message of the same `MessageGroupId` failed in this batch, so this
 * one was not run. It is reported failed to keep the group's order on redelivery.
 */
export class GroupBlockedError extends OncelyError {
  override name = 'GroupBlockedError';
  constructor(
    readonly messageId: string,
    readonly groupId: string,
    /** The message whose failure blocked the group. */
    readonly blockedBy: string,
  ) {
    super(
      `SQS message ${messageId} was not run: message ${blockedBy} of FIFO group "${groupId}" failed before it`,
    );
  }
}

/**
 * The Lambda invocation had too little time left to start this message, so it was not
 * run and is reported failed; returning before the timeout keeps the batch's successes.
 */
export class InvocationDeadlineError extends OncelyError {
  override name = 'InvocationDeadlineError';
  constructor(
    readonly messageId: string,
    readonly remainingMs: number,
  ) {
    super(
      `SQS message ${messageId} was not run: the invocation has ${remainingMs} ms left, below the safety margin`,
    );
  }
}

/**
 * Middy form: the wrapped batch handler listed this message in its own
 * `batchItemFailures`, so its claim was released and it is reported failed.
 */
export class ReportedFailureError extends OncelyError {
  override name = 'ReportedFailureError';
  constructor(readonly messageId: string) {
    super(`SQS message ${messageId} was reported failed by the batch handler`);
  }
}

/**
 * Middy form: a producer's copy inside one batch (same key as an earlier record) whose
 * first copy failed. The batch handler runs once per invocation, so the copy cannot run
 * after it in the same batch, as `createSqsHandler` would run it; it is reported failed,
 * redelivered, and runs then.
 */
export class EarlierCopyFailedError extends OncelyError {
  override name = 'EarlierCopyFailedError';
  constructor(
    readonly messageId: string,
    /** The earlier record with the same key, which failed. */
    readonly copyOf: string,
    key: string,
  ) {
    super(
      `SQS message ${messageId} was not run: message ${copyOf}, earlier in the batch with the same key, failed`,
      { key },
    );
  }
}
