import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { runBatch } from '../batch.js';
import type { QueueMessage } from '../message.js';
import { blockedOutcome, type RecordOutcome, reportOutcome } from '../outcome.js';
import type { AheadRun } from '../run-message.js';
import { observeBatch } from '../telemetry.js';
import {
  assertHandler,
  type LambdaDedupOptions,
  type ResolvedLambdaOptions,
  resolveLambdaOptions,
  type SqsRecordHandler,
} from './options.js';
import { batchShape, claimLambdaRecord, eventMessages, runLambdaRecord } from './run-record.js';

/** Options of {@link createSqsHandler}. */
export interface SqsHandlerOptions<T> extends LambdaDedupOptions<T> {
  /** Processes one record; throw to fail it. Runs at most once per key. */
  readonly handler: SqsRecordHandler<T>;
}

/** A Lambda SQS handler that answers with a partial batch response. */
export type SqsBatchHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

/**
 * Turns a per-record handler into a Lambda SQS handler that returns
 * `{ batchItemFailures }` (enable `ReportBatchItemFailures` on the event source mapping).
 *
 * Processed and duplicate records are acknowledged. A record whose key another delivery
 * holds, whose handler threw (the claim is released), whose store call failed or whose
 * lease was lost is reported failed, so SQS redelivers it; so is a record without a
 * usable key, which the redrive policy eventually moves to the dead-letter queue.
 * In a standard batch, records with the same key run one after another (distinct keys in
 * parallel), so a later copy finds the earlier one completed and is a duplicate.
 *
 * @example
 * import { createSqsHandler } from '@oncely/sqs';
 * import { DynamoDBStore } from '@oncely/dynamodb';
 *
 * export const handler = createSqsHandler({
 *   store: new DynamoDBStore({ tableName: process.env.DEDUP_TABLE! }),
 *   key: { field: 'orderId' },
 *   handler: async (record) => chargeOrder(JSON.parse(record.body)),
 * });
 */
export function createSqsHandler<T>(options: SqsHandlerOptions<T>): SqsBatchHandler {
  assertHandler(options?.handler);
  const resolved = resolveLambdaOptions(options);
  const { handler } = options;
  return async (event, context) => {
    const outcomes = await processEvent(
      resolved,
      event,
      (message) => runLambdaRecord(resolved, message, context, handler),
      (message) => claimLambdaRecord(resolved, message, context, handler),
    );
    return toBatchResponse(outcomes);
  };
}

/** Runs an event's records with the FIFO or standard plan and reports each outcome. */
async function processEvent<T>(
  options: ResolvedLambdaOptions<T>,
  event: SQSEvent,
  run: (message: QueueMessage<SQSRecord>) => Promise<RecordOutcome<T>>,
  claimAhead?: (message: QueueMessage<SQSRecord>) => Promise<AheadRun<RecordOutcome<T>>>,
): Promise<RecordOutcome<T>[]> {
  const messages = eventMessages(event);
  const outcomes = await observeBatch(options.telemetry, messages, () =>
    runBatch(messages, {
      ...batchShape(options, event),
      run,
      ...(claimAhead ? { claimAhead } : {}),
      isFailure: (outcome) => outcome.status === 'failed',
      blocked: blockedOutcome,
    }),
  );
  for (const outcome of outcomes) reportOutcome(options, outcome);
  return outcomes;
}

/** The partial batch response: one `itemIdentifier` per failed record, in event order. */
export function toBatchResponse(outcomes: readonly RecordOutcome<unknown>[]): SQSBatchResponse {
  return {
    batchItemFailures: outcomes
      .filter((outcome) => outcome.status === 'failed')
      .map((outcome) => ({ itemIdentifier: outcome.messageId })),
  };
}
