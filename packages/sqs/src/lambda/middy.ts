import type { MiddlewareObj, Request } from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { runBatch } from '../batch.js';
import { ReportedFailureError } from '../errors.js';
import { readableKey } from '../key.js';
import type { QueueMessage } from '../message.js';
import { blockedOutcome, type RecordOutcome, reportOutcome } from '../outcome.js';
import { type ClaimedRecord, type ClaimStep, claimGated } from './claim-gate.js';
import { toBatchResponse } from './handler.js';
import {
  type LambdaDedupOptions,
  type ResolvedLambdaOptions,
  resolveLambdaOptions,
} from './options.js';
import { batchShape, eventMessages, setUpRecord } from './run-record.js';

/** Options of {@link sqsDedupMiddleware}: the shared Lambda options, with no handler. */
export type SqsMiddlewareOptions = LambdaDedupOptions<undefined>;

type SqsRequest = Request<SQSEvent, SQSBatchResponse | undefined, Error, Context>;

/**
 * A middy middleware that deduplicates the records of an SQS batch for an existing
 * batch handler.
 *
 * - before: claims every record's key. Duplicates are acknowledged and removed from
 *   `event.Records`; records that cannot be claimed (another delivery holds the key, no
 *   usable key, a store error; FIFO: anything after such a record in its group) are
 *   removed and reported failed. The handler sees only the claimed records; if there are
 *   none, it is skipped.
 * - after: records the handler lists in its `batchItemFailures` are released (they will
 *   be redelivered and run again); the rest are completed.
 * - onError: the handler threw, so every claim is released and every claimed record
 *   reported failed; duplicates stay acknowledged.
 *
 * The response is always a partial batch response. With a FIFO queue, the handler must
 * stop a group at its first failure (Powertools' `SqsFifoPartialProcessor` does).
 *
 * @example
 * import middy from '@middy/core';
 * import { sqsDedupMiddleware } from '@oncely/sqs/middy';
 *
 * export const handler = middy()
 *   .use(sqsDedupMiddleware({ store, key: { field: 'orderId' } }))
 *   .handler(async (event) => {
 *     for (const record of event.Records) await ship(JSON.parse(record.body));
 *   });
 */
export function sqsDedupMiddleware(
  options: SqsMiddlewareOptions,
): MiddlewareObj<SQSEvent, SQSBatchResponse | undefined, Error, Context> {
  const resolved = resolveLambdaOptions(options);
  const batches = new WeakMap<object, ClaimStep[]>();

  return {
    name: 'oncely-sqs',
    before: async (request: SqsRequest) => {
      const steps = await claimAll(resolved, request.event, request.context);
      const claimed = steps.flatMap((step) =>
        step.kind === 'claimed' ? [step.claimed.message.raw] : [],
      );
      // Nothing to run: answer now, and middy skips the handler.
      if (claimed.length === 0) return settle(resolved, steps, () => undefined, []);
      batches.set(request, steps);
      request.event = { ...request.event, Records: claimed };
      return undefined;
    },
    after: async (request: SqsRequest) => {
      const steps = takeBatch(batches, request);
      if (!steps) return;
      const reported = reportedFailures(request.response);
      request.response = await settle(
        resolved,
        steps,
        (claimed) => {
          const { messageId } = claimed.message;
          return reported.includes(messageId)
            ? { error: new ReportedFailureError(messageId) }
            : undefined;
        },
        reported,
      );
    },
    onError: async (request: SqsRequest) => {
      const steps = takeBatch(batches, request);
      if (!steps) return;
      const failure = { error: request.error };
      request.response = await settle(resolved, steps, () => failure, []);
    },
  };
}

/** Claims every record under the FIFO or standard plan, without running anything. */
function claimAll(
  options: ResolvedLambdaOptions<undefined>,
  event: SQSEvent,
  context: Context,
): Promise<ClaimStep[]> {
  const claimOne = async (message: QueueMessage<SQSRecord>): Promise<ClaimStep> => {
    const setup = setUpRecord(options, message, context);
    if (!setup.ok) return { kind: 'done', outcome: setup.outcome };
    return claimGated(message, setup.deduper, options.pickKey, setup.leaseMs);
  };
  const shape = batchShape(options, event);
  return runBatch<SQSRecord, ClaimStep>(eventMessages(event), {
    ...shape,
    // FIFO only: a key repeated in a group is not claimed ahead (its copy must find it done).
    ...(shape.fifo
      ? { laneOf: (message: QueueMessage<SQSRecord>) => readableKey(options.pickKey, message) }
      : {}),
    run: claimOne,
    // FIFO: a group's claims go to the store together; a claim a failure stops is given back.
    claimAhead: async (message) => {
      const step = await claimOne(message);
      return {
        run: async () => step,
        release: async () => {
          if (step.kind === 'claimed')
            await step.claimed.release(new Error('not run: an earlier record of its group failed'));
        },
      };
    },
    isFailure: (step) => step.kind === 'done' && step.outcome.status === 'failed',
    blocked: (message, blockedBy) => ({
      kind: 'done',
      outcome: blockedOutcome(message, blockedBy),
    }),
  });
}

/**
 * Completes or releases every claimed record (`failure` gives `{ error }` to release
 * with, or `undefined` to complete), reports every outcome, and builds the response.
 * IDs the handler reported that oncely did not claim are kept as failures: a failure
 * report is never dropped.
 */
async function settle(
  options: ResolvedLambdaOptions<undefined>,
  steps: readonly ClaimStep[],
  failure: (claimed: ClaimedRecord) => { readonly error: unknown } | undefined,
  reported: readonly string[],
): Promise<SQSBatchResponse> {
  const outcomes: RecordOutcome<undefined>[] = await Promise.all(
    steps.map((step) => {
      if (step.kind === 'done') return step.outcome;
      const failed = failure(step.claimed);
      return failed ? step.claimed.release(failed.error) : step.claimed.complete();
    }),
  );
  for (const outcome of outcomes) reportOutcome(options, outcome);
  const response = toBatchResponse(outcomes);
  const failed = new Set(response.batchItemFailures.map((item) => item.itemIdentifier));
  for (const id of reported) {
    if (!failed.has(id)) response.batchItemFailures.push({ itemIdentifier: id });
  }
  return response;
}

function takeBatch(
  batches: WeakMap<object, ClaimStep[]>,
  request: object,
): ClaimStep[] | undefined {
  const steps = batches.get(request);
  batches.delete(request);
  return steps;
}

function reportedFailures(response: SQSBatchResponse | undefined | null): string[] {
  const failures = response?.batchItemFailures;
  if (!Array.isArray(failures)) return [];
  return failures.map((failure) => String(failure?.itemIdentifier));
}
