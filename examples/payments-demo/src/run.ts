import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { createSqsEventSource, type SqsEventSource } from '@oncely/sqs/testing/sqs-server';
import type { Backends } from './backends.js';
import { type Mode, paymentsConsumer } from './consumer.js';
import { CardProcessor } from './payments.js';
import { DEFAULT_PLAN, type Payment, type Plan, planPayments } from './plan.js';

/** The three consumers the demo compares, in column order. */
export const MODES: readonly Mode[] = ['none', 'oncely', 'transactional'];

/**
 * How the demo's Lambda function and queue are set up. Short timeouts keep the whole
 * demo to seconds; in production the function timeout is seconds to minutes and the
 * visibility timeout at least six times it.
 */
export interface DemoTiming {
  /** The function timeout; also the claim's lease. */
  readonly functionTimeoutMs: number;
  /** The queue's visibility timeout: longer than the function timeout, as AWS requires. */
  readonly visibilityTimeoutSeconds: number;
  /** Event sources (concurrent Lambda invocations) polling each queue. */
  readonly eventSources: number;
  /** Messages per invocation. */
  readonly batchSize: number;
  /** Give up when a consumer has not acknowledged every message by then. */
  readonly deadlineMs: number;
}

/** The demo's timing. */
export const DEMO_TIMING: DemoTiming = {
  functionTimeoutMs: 2_000,
  visibilityTimeoutSeconds: 3,
  eventSources: 2,
  batchSize: 10,
  deadlineMs: 50_000,
};

/** What one consumer did. */
export interface Tally {
  readonly mode: Mode;
  readonly messagesSent: number;
  /** Records delivered in invocations, redeliveries included. */
  readonly deliveries: number;
  readonly handlerRuns: number;
  readonly duplicatesSkipped: number;
  /** Records reported failed (partial batch response or a timed-out invocation), so redelivered. */
  readonly retried: number;
  readonly crashes: number;
  readonly charges: number;
  readonly doubleCharged: number;
  readonly missing: number;
  readonly takeoversReported: number;
  readonly doubleChargedIds: readonly string[];
  readonly takenOverIds: readonly string[];
}

/** Sends the plan's messages in order, ten per `SendMessageBatch`. @returns their message IDs */
async function send(
  sqs: SQSClient,
  queueUrl: string,
  messages: readonly Payment[],
): Promise<string[]> {
  const ids: string[] = [];
  for (let start = 0; start < messages.length; start += 10) {
    const entries = messages.slice(start, start + 10).map((payment, i) => ({
      Id: String(i),
      MessageBody: JSON.stringify(payment),
    }));
    const sent = await sqs.send(
      new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }),
    );
    if (sent.Failed?.length) {
      throw new Error(`SendMessageBatch failed: ${sent.Failed[0]?.Message ?? 'unknown'}`);
    }
    const byEntry = new Map(sent.Successful?.map((s) => [s.Id, s.MessageId]));
    for (const entry of entries) {
      const id = byEntry.get(entry.Id);
      if (!id) throw new Error(`SendMessageBatch returned no message ID for entry ${entry.Id}`);
      ids.push(id);
    }
  }
  return ids;
}

/**
 * `Promise.all` that waits for every promise before rethrowing the first failure, so
 * nothing still runs against the servers while the caller cleans up.
 */
async function settleAll<T>(promises: readonly Promise<T>[]): Promise<T[]> {
  const settled = await Promise.allSettled(promises);
  const failed = settled.find((s) => s.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<T>).value);
}

function allAcknowledged(sources: readonly SqsEventSource[], sent: readonly string[]): boolean {
  const deleted = new Set(sources.flatMap((s) => s.invocations.flatMap((i) => i.succeeded)));
  return sent.every((id) => deleted.has(id));
}

function sum(
  sources: readonly SqsEventSource[],
  count: (i: SqsEventSource['invocations'][number]) => number,
) {
  return sources.reduce((total, s) => total + s.invocations.reduce((n, i) => n + count(i), 0), 0);
}

/**
 * Runs one consumer: sends the plan to a new queue, then lets `eventSources` Lambda
 * event sources poll it (batches, partial batch responses, timeouts, redelivery after
 * the visibility timeout) until every message is acknowledged, and counts the charges.
 */
export async function runConsumer(
  mode: Mode,
  backends: Backends,
  plan: Plan,
  timing: DemoTiming = DEMO_TIMING,
): Promise<Tally> {
  const queueUrl = await backends.createQueue(`payments-${mode}`, timing.visibilityTimeoutSeconds);
  const sent = await send(backends.sqs, queueUrl, plan.messages);
  const card = new CardProcessor();
  const { handler, stats } = paymentsConsumer({
    mode,
    store: backends.store,
    ledger: backends.ledger,
    card,
    crashes: plan.crashes,
    lease: timing.functionTimeoutMs,
  });
  const sources = Array.from({ length: timing.eventSources }, () =>
    createSqsEventSource({
      client: backends.sqs,
      queueUrl,
      handler,
      batchSize: timing.batchSize,
      // The namespace of oncely's keys defaults to the function name.
      context: { functionName: `payments-${mode}`, timeout: timing.functionTimeoutMs },
    }),
  );
  await settleAll(
    sources.map((source) =>
      source.runUntil(() => allAcknowledged(sources, sent), { timeout: timing.deadlineMs }),
    ),
  );
  const ids = plan.payments.map((p) => p.paymentId);
  const charges =
    mode === 'transactional' && backends.ledger
      ? await backends.ledger.charges(ids)
      : card.charges();
  const doubleChargedIds = ids.filter((id) => (charges.get(id) ?? 0) > 1);
  return {
    mode,
    messagesSent: sent.length,
    deliveries: sum(sources, (i) => i.event.Records.length),
    handlerRuns: stats.handlerRuns,
    duplicatesSkipped: stats.duplicatesSkipped,
    retried: sum(sources, (i) => i.failed.length),
    crashes: stats.crashes,
    charges: [...charges.values()].reduce((a, b) => a + b, 0),
    doubleCharged: doubleChargedIds.length,
    missing: ids.filter((id) => !charges.has(id)).length,
    takeoversReported: stats.takeovers,
    doubleChargedIds,
    takenOverIds: [...stats.takenOver].sort(),
  };
}

/** What {@link runDemo} ran and found. */
export interface DemoResult {
  readonly plan: Plan;
  readonly timing: DemoTiming;
  readonly sqsName: string;
  readonly storeName: string;
  /** One per mode that ran, in {@link MODES} order. */
  readonly tallies: readonly Tally[];
  /** Why transactional mode did not run, for a store without it (Redis). */
  readonly transactionalUnavailable?: string;
}

/**
 * Runs the three consumers side by side, each on its own queue, with the same plan; on a
 * store without transactional mode, the first two.
 *
 * @example
 * const backends = await openBackends();
 * try {
 *   const { tallies } = await runDemo(backends);
 * } finally {
 *   await backends.close();
 * }
 */
export async function runDemo(
  backends: Backends,
  plan: Plan = planPayments(DEFAULT_PLAN),
  timing: DemoTiming = DEMO_TIMING,
): Promise<DemoResult> {
  const modes = backends.ledger ? MODES : MODES.filter((mode) => mode !== 'transactional');
  const tallies = await settleAll(modes.map((mode) => runConsumer(mode, backends, plan, timing)));
  return {
    plan,
    timing,
    sqsName: backends.sqsName,
    storeName: backends.storeName,
    tallies,
    ...(backends.transactionalUnavailable
      ? { transactionalUnavailable: backends.transactionalUnavailable }
      : {}),
  };
}
