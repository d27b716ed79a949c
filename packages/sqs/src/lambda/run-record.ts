import type { Deduper } from '@oncely/core';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { InvocationDeadlineError } from '../errors.js';
import { readableKey } from '../key.js';
import { fromLambdaRecord, type QueueMessage } from '../message.js';
import { failedOutcome, type RecordOutcome } from '../outcome.js';
import {
  type AheadRun,
  claimMessageAhead,
  extendContext,
  type MessageRun,
  runMessage,
} from '../run-message.js';
import { openMessageScope, telemetryOutcome } from '../telemetry.js';
import type { ResolvedLambdaOptions, SqsRecordHandler } from './options.js';

/** What one record runs with, or why it cannot start. */
export type RecordSetup =
  | {
      readonly ok: true;
      readonly deduper: Deduper<SQSRecord>;
      readonly leaseMs: number | undefined;
    }
  | { readonly ok: false; readonly outcome: RecordOutcome<never> };

/**
 * Prepares one record's run: refuses to start it when the invocation is nearly out of
 * time, picks the deduper of the namespace (default: the function name), and caps the
 * lease by the remaining time.
 */
export function setUpRecord<T>(
  options: ResolvedLambdaOptions<T>,
  message: QueueMessage<SQSRecord>,
  context: Context | undefined,
): RecordSetup {
  const remaining = remainingTime(context);
  if (remaining !== undefined && remaining <= options.timeoutMarginMs) {
    const error = new InvocationDeadlineError(message.messageId, remaining);
    return { ok: false, outcome: failedOutcome(message.messageId, error) };
  }
  try {
    const deduper = options.dedupers.for(context?.functionName);
    // The claim must not outlive the invocation that holds it (a timed-out invocation
    // would block the retry for the full lease), nor end while it may still be running.
    const leaseMs = remaining === undefined ? undefined : Math.min(deduper.leaseMs, remaining);
    return { ok: true, deduper, leaseMs };
  } catch (error) {
    return { ok: false, outcome: failedOutcome(message.messageId, error) };
  }
}

/** Runs one Lambda record's handler under oncely. Never rejects. */
export async function runLambdaRecord<T>(
  options: ResolvedLambdaOptions<T>,
  message: QueueMessage<SQSRecord>,
  context: Context | undefined,
  handler: SqsRecordHandler<T>,
): Promise<RecordOutcome<T>> {
  const run = lambdaMessageRun(options, message, context, handler);
  return 'status' in run ? run : runMessage(run);
}

/** Claims one Lambda record ahead of its turn (FIFO groups). Never rejects. */
export async function claimLambdaRecord<T>(
  options: ResolvedLambdaOptions<T>,
  message: QueueMessage<SQSRecord>,
  context: Context | undefined,
  handler: SqsRecordHandler<T>,
): Promise<AheadRun<RecordOutcome<T>>> {
  const run = lambdaMessageRun(options, message, context, handler);
  return 'status' in run
    ? { run: async () => run, release: async () => {} }
    : claimMessageAhead(run);
}

/** What running a Lambda record takes, or the outcome of a record that cannot start. */
function lambdaMessageRun<T>(
  options: ResolvedLambdaOptions<T>,
  message: QueueMessage<SQSRecord>,
  context: Context | undefined,
  handler: SqsRecordHandler<T>,
): MessageRun<SQSRecord, T> | RecordOutcome<T> {
  const setup = setUpRecord(options, message, context);
  if (!setup.ok) {
    // Never started (out of time, no namespace): its scope opens and ends at once.
    openMessageScope(options.telemetry, message)?.end(telemetryOutcome(setup.outcome, undefined));
    return setup.outcome;
  }
  return {
    message,
    deduper: setup.deduper,
    pickKey: options.pickKey,
    leaseMs: setup.leaseMs,
    fn: (run) =>
      handler(
        message.raw,
        extendContext(run, {
          messageId: message.messageId,
          receiveCount: message.receiveCount,
          lambdaContext: context,
        }),
      ),
  };
}

/** How the Lambda forms run one event's records: the part of the batch plan they share. */
export interface BatchShape {
  readonly fifo: boolean;
  readonly concurrency: number;
  /**
   * The record's key: records of a standard batch with the same key run one after
   * another, and a FIFO group does not claim a repeated key ahead. `createSqsHandler`
   * and the middy middleware both plan with it, so a producer's copy inside a batch is
   * treated alike (run after the first copy, and acknowledged as a duplicate).
   */
  readonly laneOf: (message: QueueMessage<SQSRecord>) => string | undefined;
}

/** FIFO or standard, the concurrency bound and the lanes, for one event. */
export function batchShape<T>(options: ResolvedLambdaOptions<T>, event: SQSEvent): BatchShape {
  return {
    fifo: options.fifo === 'auto' ? isFifoEvent(event) : options.fifo,
    concurrency: options.concurrency,
    laneOf: (message) => readableKey(options.pickKey, message),
  };
}

/** Whether the event comes from a FIFO queue. */
function isFifoEvent(event: SQSEvent): boolean {
  return event.Records.some(
    (record) =>
      record.eventSourceARN?.endsWith('.fifo') || record.attributes?.MessageGroupId !== undefined,
  );
}

/** The records of an SQS event, viewed; a non-SQS event is a thrown TypeError. */
export function eventMessages(event: SQSEvent): QueueMessage<SQSRecord>[] {
  if (!event || !Array.isArray(event.Records)) {
    throw new TypeError('oncely: expected an SQS event with a Records array');
  }
  return event.Records.map(fromLambdaRecord);
}

function remainingTime(context: Context | undefined): number | undefined {
  if (typeof context?.getRemainingTimeInMillis !== 'function') return undefined;
  const remaining = context.getRemainingTimeInMillis();
  return Number.isFinite(remaining) ? remaining : undefined;
}
