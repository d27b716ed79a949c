import type { MiddlewareObj, Request } from '@middy/core';
import type { Deduper } from '@oncely/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { runBatch } from '../batch.js';
import { EarlierCopyFailedError, ReportedFailureError } from '../errors.js';
import type { QueueMessage } from '../message.js';
import { blockedOutcome, failedOutcome, type RecordOutcome, reportOutcome } from '../outcome.js';
import { runMessage } from '../run-message.js';
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
 *   removed and reported failed. A later record with the key of an earlier one in the
 *   batch (a producer's copy; FIFO: in the same group) is held back, as
 *   `createSqsHandler` runs it after the first copy. The handler sees only the claimed
 *   records; if there are none, it is skipped.
 * - after: records the handler lists in its `batchItemFailures` are released (they will
 *   be redelivered and run again); the rest are completed. Then each held-back copy
 *   looks up its key: the first copy completed, so it is acknowledged as a duplicate; if
 *   the first copy failed, it is reported failed (`EarlierCopyFailedError`) and runs on
 *   its redelivery.
 * - onError: the handler threw, so every claim is released and every claimed record
 *   (and its copies) reported failed; duplicates stay acknowledged.
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
  const batches = new WeakMap<object, BatchStep[]>();

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

/**
 * A later record with the key of an earlier one in the batch: not claimed before the
 * handler (its claim would find the first copy's live claim), but looked up after the
 * first copy is settled.
 */
interface CopyStep {
  readonly kind: 'copy';
  readonly message: QueueMessage<SQSRecord>;
  /** The first copy's step. */
  readonly first: Promise<BatchStep>;
  readonly firstMessageId: string;
  readonly key: string;
  readonly deduper: Deduper<SQSRecord>;
  readonly leaseMs: number | undefined;
}

/** One record's step before the handler: claimed, finished, or a copy held back. */
type BatchStep = ClaimStep | CopyStep;

/**
 * Claims every record under the plan `createSqsHandler` uses (the same lanes: a copy of
 * a key runs after its first copy), without running anything.
 */
function claimAll(
  options: ResolvedLambdaOptions<undefined>,
  event: SQSEvent,
  context: Context,
): Promise<BatchStep[]> {
  const shape = batchShape(options, event);
  // The first record of each key (FIFO: of each key in a group), in lane order.
  const firsts = new Map<string, { messageId: string; step: Promise<BatchStep> }>();
  const claimOne = (message: QueueMessage<SQSRecord>): Promise<BatchStep> => {
    const setup = setUpRecord(options, message, context);
    if (!setup.ok) return Promise.resolve({ kind: 'done', outcome: setup.outcome });
    const key = shape.laneOf(message);
    const lane = key === undefined || !shape.fifo ? key : `${message.groupId}\u0000${key}`;
    const first = lane === undefined ? undefined : firsts.get(lane);
    if (first && key !== undefined) {
      return Promise.resolve({
        kind: 'copy',
        message,
        first: first.step,
        firstMessageId: first.messageId,
        key,
        deduper: setup.deduper,
        leaseMs: setup.leaseMs,
      });
    }
    const step = claimGated(message, setup.deduper, options.pickKey, setup.leaseMs);
    if (lane !== undefined) firsts.set(lane, { messageId: message.messageId, step });
    return step;
  };
  return runBatch<SQSRecord, BatchStep>(eventMessages(event), {
    ...shape,
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
 * with, or `undefined` to complete), then looks up the copies, reports every outcome,
 * and builds the response. IDs the handler reported that oncely did not claim are kept
 * as failures: a failure report is never dropped.
 */
async function settle(
  options: ResolvedLambdaOptions<undefined>,
  steps: readonly BatchStep[],
  failure: (claimed: ClaimedRecord) => { readonly error: unknown } | undefined,
  reported: readonly string[],
): Promise<SQSBatchResponse> {
  const settled = new Map<BatchStep, Promise<RecordOutcome<undefined>>>();
  for (const step of steps) {
    if (step.kind === 'done') settled.set(step, Promise.resolve(step.outcome));
    if (step.kind !== 'claimed') continue;
    const failed = failure(step.claimed);
    settled.set(step, failed ? step.claimed.release(failed.error) : step.claimed.complete());
  }
  const outcomes: RecordOutcome<undefined>[] = await Promise.all(
    steps.map((step) =>
      step.kind === 'copy' ? settleCopy(options, step, settled) : settled.get(step),
    ) as Promise<RecordOutcome<undefined>>[],
  );
  for (const outcome of outcomes) reportOutcome(options, outcome);
  const response = toBatchResponse(outcomes);
  const failed = new Set(response.batchItemFailures.map((item) => item.itemIdentifier));
  for (const id of reported) {
    if (!failed.has(id)) response.batchItemFailures.push({ itemIdentifier: id });
  }
  return response;
}

/**
 * A copy's outcome, once its first copy is settled: if that one succeeded, the copy goes
 * through the deduper (the ordinary run's path) and finds the key completed, a
 * duplicate; if it failed, the copy is reported failed without a store call, to run on
 * its redelivery (the batch handler will not run again in this invocation).
 */
async function settleCopy(
  options: ResolvedLambdaOptions<undefined>,
  copy: CopyStep,
  settled: ReadonlyMap<BatchStep, Promise<RecordOutcome<undefined>>>,
): Promise<RecordOutcome<undefined>> {
  const { message, key, firstMessageId } = copy;
  const notRun = () => new EarlierCopyFailedError(message.messageId, firstMessageId, key);
  const first = await settled.get(await copy.first);
  if (first === undefined || first.status === 'failed') {
    return failedOutcome(message.messageId, notRun(), key);
  }
  return runMessage<SQSRecord, undefined>({
    message,
    deduper: copy.deduper,
    pickKey: options.pickKey,
    leaseMs: copy.leaseMs,
    // Only if the record vanished in between (an operator deleted it): never run here.
    fn: () => {
      throw notRun();
    },
  });
}

function takeBatch(
  batches: WeakMap<object, BatchStep[]>,
  request: object,
): BatchStep[] | undefined {
  const steps = batches.get(request);
  batches.delete(request);
  return steps;
}

function reportedFailures(response: SQSBatchResponse | undefined | null): string[] {
  const failures = response?.batchItemFailures;
  if (!Array.isArray(failures)) return [];
  return failures.map((failure) => String(failure?.itemIdentifier));
}
