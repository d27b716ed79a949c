import { ClaimContext } from './claim-context.js';
import { completeOwned } from './complete-run.js';
import type { RunContext } from './context.js';
import { callStore, type Engine, type RunIdentity } from './engine.js';
import { Lease } from './lease.js';
import {
  type ClaimRequest,
  type ClaimRun,
  duplicateResult,
  type HeldClaim,
  inProgress,
  runHandler,
} from './outcomes.js';
import type { DuplicateRunResult, RunResult } from './result.js';
import type { ClaimOutcome } from './store.js';

/** The outcome of the claim step: a duplicate's result, or a claim to run. Internal. */
export type ClaimStep =
  | { readonly kind: 'duplicate'; readonly result: DuplicateRunResult<unknown> }
  | { readonly kind: 'held'; readonly held: HeldClaim };

/**
 * The claim flow: claim, run, complete; release on a handler error. Each store
 * outcome maps to exactly one result or typed error, so no path acknowledges a
 * message without its record.
 */
export async function runClaimed<T>(
  engine: Engine<unknown>,
  run: ClaimRun<T>,
): Promise<RunResult<T>> {
  const step = await claimKey(engine, run);
  if (step.kind === 'duplicate') return step.result as RunResult<T>;
  return runHeld(engine, step.held, run.fn);
}

/**
 * The first half of the claim flow: claims the key and, when the claim is taken,
 * starts its lease (and heartbeat) at once, so a claim taken ahead of its turn
 * stays held while it waits. Throws `InProgressError` for a live claim.
 */
export async function claimKey(engine: Engine<unknown>, request: ClaimRequest): Promise<ClaimStep> {
  const { clock, ttlMs, namespace, logger, autoExtendFraction } = engine.options;
  const { id } = request;
  const startedAt = clock.now();
  // Counted from the claim until the record is completed or released (ended in runHeld
  // or releaseHeld), or here when nothing is held.
  engine.runs.active++;
  let claim: ClaimOutcome;
  try {
    claim = await callStore(engine, id, 'claim', () =>
      engine.calls.claim({
        key: id.storeKey,
        leaseMs: request.leaseMs,
        ttlMs,
        now: startedAt,
        ...(request.fingerprint === undefined ? {} : { fingerprint: request.fingerprint }),
        ...(request.likelyExists ? { likelyExists: true } : {}),
      }),
    );
  } catch (error) {
    engine.runs.active--;
    throw error;
  }
  if (claim.kind !== 'claimed') engine.runs.active--;
  if (claim.kind === 'duplicate') {
    const result = duplicateResult(engine, id, claim.record, request.fingerprint, startedAt);
    return { kind: 'duplicate', result };
  }
  if (claim.kind === 'in_progress')
    throw inProgress(engine, id, claim, request.fingerprint, startedAt);
  const claimedAt = clock.now();
  engine.emit?.({
    type: 'claimed',
    namespace,
    ...id,
    at: claimedAt,
    takeover: claim.previous !== undefined,
    durationMs: claimedAt - startedAt,
  });
  if (claim.previous !== undefined) {
    logger.warn('oncely: took over an expired lease; an earlier attempt may have run its effect', {
      ...id,
    });
  }
  const lease = new Lease(engine, id, claim.token, request.leaseMs, claim.record.leaseUntil);
  lease.startHeartbeat(autoExtendFraction);
  return { kind: 'held', held: { id, token: claim.token, lease, startedAt } };
}

/**
 * The second half of the claim flow: runs `fn` under a held claim, completes the
 * record, or releases it (and rethrows) when `fn` throws.
 */
export async function runHeld<T>(
  engine: Engine<unknown>,
  held: HeldClaim,
  fn: (context: RunContext) => Promise<T> | T,
): Promise<RunResult<T>> {
  const { id, token, lease, startedAt } = held;
  // The handler's time counts from here, not from the claim, which may have been taken ahead.
  const ranAt = engine.options.clock.now();
  try {
    if (held.lease.until - ranAt < held.lease.leaseMs / 2) await renewAfterWaiting(engine, held);
    let value: T;
    try {
      value = await runHandler(engine, id, () => fn(new ClaimContext(id, token, lease)));
    } catch (error) {
      lease.stop();
      await releaseAfterError(engine, id, token, error, startedAt);
      throw error;
    }
    lease.stop();
    return await completeOwned(engine, held, value, ranAt);
  } finally {
    engine.runs.active--;
  }
}

/**
 * A claim taken ahead may have waited for its turn until little of its lease is left,
 * or none (nothing heartbeats it without `autoExtend`): past its end another delivery
 * may already have taken the key over and be running it. So before the handler starts,
 * a lease with less than half left is extended (checked in `runHeld`), fenced by the
 * token: if it was taken over, `LeaseLostError` stops the run before any effect. A claim
 * taken just now is never extended.
 */
async function renewAfterWaiting(engine: Engine<unknown>, held: HeldClaim): Promise<void> {
  try {
    await held.lease.extend();
  } catch (error) {
    held.lease.stop();
    // Fenced: a release by a token that lost the key changes nothing.
    await releaseAfterError(engine, held.id, held.token, error, held.startedAt);
    throw error;
  }
}

/**
 * Gives back a held claim whose handler never ran (a batch stopped early), so the
 * next delivery can claim it at once instead of waiting out the lease. Reported as
 * `released` with `error: undefined`; a store failure is reported and swallowed,
 * since the claim then simply expires with its lease.
 */
export async function releaseHeld(engine: Engine<unknown>, held: HeldClaim): Promise<void> {
  held.lease.stop();
  try {
    await releaseAfterError(engine, held.id, held.token, undefined, held.startedAt);
  } finally {
    engine.runs.active--;
  }
}

async function releaseAfterError(
  engine: Engine<unknown>,
  id: RunIdentity,
  token: string,
  error: unknown,
  startedAt: number,
): Promise<void> {
  const { clock, namespace } = engine.options;
  try {
    const outcome = await callStore(engine, id, 'release', () =>
      engine.calls.release({ key: id.storeKey, token }),
    );
    const at = clock.now();
    if (outcome.ok) {
      engine.emit?.({ type: 'released', namespace, ...id, at, error, durationMs: at - startedAt });
    } else {
      engine.emit?.({
        type: 'lease_lost',
        namespace,
        ...id,
        at,
        operation: 'release',
        effectMayRepeat: false,
      });
    }
  } catch (releaseError) {
    // Reported as a store_error; the handler's own error is the one to rethrow (and the
    // one the adapter logs for this message), and the unreleased claim simply expires
    // with its lease. Logged at debug only, so a failure is logged once.
    engine.options.logger.debug('oncely: releasing the claim failed; it expires with its lease', {
      ...id,
      error: releaseError,
    });
  }
}
