/**
 * Drives many messages through a deduper whose store sits behind the fault proxy, the
 * way a queue consumer would: competing consumers, redelivery after the visibility
 * timeout, retry of every failure, and an acknowledgement only after `run` succeeded.
 * Before each acknowledgement it reads the record directly (around the proxy), so an
 * acknowledgement without a COMPLETED record is caught the moment it would happen.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { type Deduper, InProgressError, type RunContext } from '@oncely/core';
import { bump } from '../chaos/verdict.js';
import { AtLeastOnceQueue, type Delivery } from './at-least-once-queue.js';
import type { SeededRandom } from './seeded-random.js';

/** Options of {@link runFaultWorkload}. */
export interface FaultWorkloadOptions {
  readonly deduper: Deduper;
  /** The message keys; each is sent once (redelivery does the rest). */
  readonly keys: readonly string[];
  /** Competing consumers. */
  readonly consumers: number;
  /** Messages a consumer receives at once and runs together (SQS allows up to 10). */
  readonly batchSize: number;
  /** The queue's visibility timeout, in ms. */
  readonly visibilityMs: number;
  /** The share of handler runs that throw before their effect. */
  readonly throwRate: number;
  readonly random: SeededRandom;
  /** The handler's effect (normal: a direct ledger write; transactional: `addEffect`). */
  readonly effect: (key: string, context: RunContext) => Promise<void> | void;
  /** Whether the key's record is COMPLETED, read around the proxy. */
  readonly isCompleted: (key: string) => Promise<boolean>;
  /** Give up (leaving messages unacknowledged, so counted lost) after this many ms. */
  readonly deadlineMs: number;
}

/** What a workload saw. */
export interface FaultWorkloadReport {
  readonly deliveries: number;
  readonly redeliveries: number;
  readonly acknowledged: number;
  /** Keys acknowledged while their record was not COMPLETED: must stay empty. */
  readonly acknowledgedWithoutRecord: readonly string[];
  /** Messages still on the queue at the end. */
  readonly unacknowledged: number;
  /** Failed deliveries by error name (StoreError, InProgressError, LeaseLostError, ...). */
  readonly failures: ReadonlyMap<string, number>;
  /** Handler runs that threw on purpose. */
  readonly handlerThrows: number;
}

/** Thrown by the handler on purpose, before its effect. */
class InjectedHandlerError extends Error {
  override name = 'InjectedHandlerError';
}

/**
 * Runs the workload until every message is acknowledged or the deadline passes.
 *
 * @example
 * const report = await runFaultWorkload({ deduper, keys, consumers: 6, ... });
 * expect(report.acknowledgedWithoutRecord).toEqual([]);
 */
export async function runFaultWorkload(
  options: FaultWorkloadOptions,
): Promise<FaultWorkloadReport> {
  const { deduper, random, visibilityMs } = options;
  const queue = new AtLeastOnceQueue(options.keys, visibilityMs);
  const deadline = Date.now() + options.deadlineMs;
  const failures = new Map<string, number>();
  const acknowledgedWithoutRecord: string[] = [];
  let deliveries = 0;
  let redeliveries = 0;
  let acknowledged = 0;
  let handlerThrows = 0;

  async function deliver(delivery: Delivery<string>): Promise<void> {
    const key = delivery.body;
    deliveries++;
    if (delivery.receiveCount > 1) redeliveries++;
    try {
      await deduper.run(key, async (context) => {
        if (random.chance(options.throwRate)) {
          handlerThrows++;
          throw new InjectedHandlerError(`handler failed on purpose for ${key}`);
        }
        await options.effect(key, context);
      });
    } catch (error) {
      bump(failures, error instanceof Error ? error.name : typeof error);
      // As SQS would: an in-progress message comes back when the live lease may be over,
      // anything else after a short pause.
      const delay =
        error instanceof InProgressError ? Math.min(error.retryAfterMs, visibilityMs) : 20;
      queue.retryLater(delivery, delay);
      return;
    }
    if (!(await options.isCompleted(key))) acknowledgedWithoutRecord.push(key);
    if (queue.ack(delivery)) acknowledged++;
  }

  function receiveBatch(): Delivery<string>[] {
    const batch: Delivery<string>[] = [];
    for (let delivery = queue.receive(); delivery !== undefined; delivery = queue.receive()) {
      batch.push(delivery);
      if (batch.length >= options.batchSize) break;
    }
    return batch;
  }

  async function consume(): Promise<void> {
    while (queue.size > 0 && Date.now() < deadline) {
      const batch = receiveBatch();
      // All runs start in the same turn, so their claims go out as one batch.
      if (batch.length === 0) await sleep(10);
      else await Promise.all(batch.map(deliver));
    }
  }

  await Promise.all(Array.from({ length: options.consumers }, consume));
  return {
    deliveries,
    redeliveries,
    acknowledged,
    acknowledgedWithoutRecord,
    unacknowledged: queue.size,
    failures,
    handlerThrows,
  };
}
