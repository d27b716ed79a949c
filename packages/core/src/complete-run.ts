import { callStore, type Engine } from './engine.js';
import { LeaseLostError, ResultTooLargeError, StoreError, withKey } from './errors.js';
import { type HeldClaim, reportCompleted } from './outcomes.js';
import type { RunResult } from './result.js';
import { retryDelayMs, sleep } from './retry.js';
import { prepareResult } from './serialize-result.js';
import type { FencedOutcome } from './store.js';

/**
 * Completes a run whose handler returned: writes COMPLETED (retrying what can be
 * retried), reports a lost lease, and throws a result the store could not keep only
 * after the record is complete. Internal.
 */
export async function completeOwned<T>(
  engine: Engine<unknown>,
  held: HeldClaim,
  value: T,
  claimedAt: number,
): Promise<RunResult<T>> {
  const { id, startedAt } = held;
  const { clock, namespace } = engine.options;
  const prepared = prepareResult(engine, id, value);
  const now = clock.now();
  const { outcome, resultError } = await recordCompletion(engine, held, prepared.text);
  if (!outcome.ok) {
    engine.emit?.({
      type: 'lease_lost',
      namespace,
      ...id,
      at: now,
      operation: 'complete',
      effectMayRepeat: true,
      ...(outcome.current ? { current: outcome.current } : {}),
    });
    throw new LeaseLostError(
      `Lease on key "${id.storeKey}" was lost before completion: another delivery took over, so the effect may have run twice`,
      'complete',
      { ...id, ...(outcome.current ? { record: outcome.current } : {}) },
    );
  }
  reportCompleted(engine, id, outcome.record, now - claimedAt, startedAt);
  const error = prepared.error ?? resultError;
  if (error) throw error;
  return { status: 'processed', ...id, result: value };
}

/**
 * Writes COMPLETED for a run whose effect has happened. The effect cannot be undone,
 * so an unrecorded completion becomes a repeat after the lease: a retryable failure
 * is retried (safe, since the write is fenced by the token) with backoff until it
 * lands or the lease is about to end, and a result the store refuses as too large is
 * dropped so the record still completes, with the refusal thrown afterwards.
 */
async function recordCompletion(
  engine: Engine<unknown>,
  held: HeldClaim,
  result: string | undefined,
): Promise<{ outcome: FencedOutcome; resultError?: ResultTooLargeError }> {
  const { clock, ttlMs } = engine.options;
  const { id, token, lease } = held;
  for (let attempt = 0; ; attempt++) {
    try {
      const now = clock.now();
      const outcome = await callStore(engine, id, 'complete', () =>
        engine.calls.complete({
          key: id.storeKey,
          token,
          ttlMs,
          now,
          ...(result === undefined ? {} : { result }),
        }),
      );
      return { outcome };
    } catch (error) {
      const tooLarge = result === undefined ? undefined : resultTooLarge(error);
      if (tooLarge !== undefined) {
        const { outcome } = await recordCompletion(engine, held, undefined);
        return { outcome, resultError: withKey(tooLarge, id) };
      }
      const delayMs = retryDelayMs(attempt, COMPLETE_RETRY);
      const retryable = error instanceof StoreError && error.retryable;
      const leaseEnding = clock.now() + delayMs >= lease.until - COMPLETE_RETRY.leaseMarginMs;
      if (!retryable || leaseEnding || attempt >= COMPLETE_RETRY.maxRetries) {
        throw error;
      }
      await sleep(delayMs);
    }
  }
}

/**
 * How a failed completion is retried: at most 5 retries over about a second and a half
 * (under 20% store faults, 6 failures in a row are 1 in 15,000), and never into the
 * last 250 ms of the lease, when another delivery may be about to take over.
 */
const COMPLETE_RETRY = { baseMs: 25, maxMs: 800, leaseMarginMs: 250, maxRetries: 5 } as const;

function resultTooLarge(error: unknown): ResultTooLargeError | undefined {
  if (error instanceof ResultTooLargeError) return error;
  const cause = (error as { cause?: unknown } | null)?.cause;
  return cause instanceof ResultTooLargeError ? cause : undefined;
}
