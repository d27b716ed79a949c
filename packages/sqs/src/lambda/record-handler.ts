import type { Context, SQSRecord } from 'aws-lambda';
import { fromLambdaRecord } from '../message.js';
import { type RecordOutcome, reportOutcome } from '../outcome.js';
import {
  assertHandler,
  type LambdaDedupOptions,
  resolveLambdaOptions,
  type SqsRecordHandler,
} from './options.js';
import { runLambdaRecord } from './run-record.js';

/** Options of {@link createRecordHandler}. */
export interface RecordHandlerOptions<T> extends LambdaDedupOptions<T> {
  /** Processes one record; throw to fail it. Runs at most once per key. */
  readonly handler: SqsRecordHandler<T>;
}

/** A successful record's outcome, returned to the batch processor. */
export type RecordSuccess<T> = Extract<RecordOutcome<T>, { status: 'processed' | 'duplicate' }>;

/**
 * A record handler for Powertools' `processPartialResponse`: it resolves with the
 * outcome for processed and duplicate records, and throws the typed error otherwise, so
 * the batch processor lists the record in `batchItemFailures`. Pass `{ context }` to
 * `processPartialResponse` so the lease is capped by the remaining time and the namespace
 * defaults to the function name. The `concurrency` and `fifo` options do not apply here:
 * the processor decides (use `SqsFifoPartialProcessorAsync` for FIFO queues).
 *
 * @example
 * import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
 * import { createRecordHandler } from '@oncely/sqs';
 *
 * const processor = new BatchProcessor(EventType.SQS);
 * const recordHandler = createRecordHandler({ store, handler: async (record) => charge(record) });
 * export const handler = (event, context) =>
 *   processPartialResponse(event, recordHandler, processor, { context });
 */
export function createRecordHandler<T>(
  options: RecordHandlerOptions<T>,
): (record: SQSRecord, context?: Context) => Promise<RecordSuccess<T>> {
  assertHandler(options?.handler);
  const resolved = resolveLambdaOptions(options);
  const { handler } = options;
  return async (record, context) => {
    const outcome = await runLambdaRecord(resolved, fromLambdaRecord(record), context, handler);
    reportOutcome(resolved, outcome);
    if (outcome.status === 'failed') throw outcome.error;
    return outcome;
  };
}
