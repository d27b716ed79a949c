import type { RunContext } from './context.js';
import { callStore, type Engine, type RunIdentity, replayResult } from './engine.js';
import { InProgressError, LeaseLostError } from './errors.js';
import { assertSameFingerprint } from './fingerprint-check.js';
import { Lease } from './lease.js';
import type { RunResult } from './result.js';
import { prepareResult } from './serialize-result.js';
import type { ClaimOutcome, DedupRecord } from './store.js';

/** Per-run inputs the claim flow needs. Internal. */
export interface ClaimRun<T> {
  readonly id: RunIdentity;
  readonly fingerprint: string | undefined;
  readonly leaseMs: number;
  readonly fn: (context: RunContext) => Promise<T> | T;
}

/**
 * The claim flow: claim, run, complete; release on a handler error. Each store
 * outcome maps to exactly one result or typed error, so no path acknowledges a
 * message without its record.
 */
export async function runClaimed<T>(
  engine: Engine<unknown>,
  run: ClaimRun<T>,
): Promise<RunResult<T>> {
  const { store, clock, ttlMs } = engine.options;
  const { id } = run;
  const startedAt = clock.now();
  const claim = await callStore(engine, id, 'claim', () =>
    store.claim(id.storeKey, {
      leaseMs: run.leaseMs,
      ttlMs,
      now: startedAt,
      ...(run.fingerprint === undefined ? {} : { fingerprint: run.fingerprint }),
    }),
  );
  if (claim.kind === 'duplicate')
    return duplicateResult(engine, id, claim.record, run.fingerprint, startedAt);
  if (claim.kind === 'in_progress') throw inProgress(engine, id, claim, run.fingerprint, startedAt);
  return runOwned(engine, run, claim.token, claim.previous, startedAt);
}

/** Builds the duplicate result (after the fingerprint check) and reports it. */
export function duplicateResult<T>(
  engine: Engine<unknown>,
  id: RunIdentity,
  record: DedupRecord,
  fingerprint: string | undefined,
  startedAt: number,
): RunResult<T> {
  assertSameFingerprint(id, record, fingerprint);
  engine.cache?.set(record);
  const { clock, namespace } = engine.options;
  engine.emit?.({
    type: 'duplicate',
    namespace,
    ...id,
    at: clock.now(),
    record,
    durationMs: clock.now() - startedAt,
  });
  return {
    status: 'duplicate',
    ...id,
    result: replayResult(engine, record) as T | undefined,
    record,
  };
}

/** Builds the in-progress error (after the fingerprint check) and reports it. */
export function inProgress(
  engine: Engine<unknown>,
  id: RunIdentity,
  claim: Extract<ClaimOutcome, { kind: 'in_progress' }>,
  fingerprint: string | undefined,
  startedAt: number,
): InProgressError {
  assertSameFingerprint(id, claim.record, fingerprint);
  const { clock, namespace } = engine.options;
  const at = clock.now();
  engine.emit?.({
    type: 'in_progress',
    namespace,
    ...id,
    at,
    retryAfterMs: claim.retryAfterMs,
    durationMs: at - startedAt,
  });
  return new InProgressError(
    `Key "${id.key}" is being processed by another delivery; retry in ${claim.retryAfterMs} ms`,
    claim.retryAfterMs,
    { ...id, record: claim.record },
  );
}

async function runOwned<T>(
  engine: Engine<unknown>,
  run: ClaimRun<T>,
  token: string,
  previous: DedupRecord | undefined,
  startedAt: number,
): Promise<RunResult<T>> {
  const { clock, namespace, logger, autoExtendFraction } = engine.options;
  const { id } = run;
  const claimedAt = clock.now();
  engine.emit?.({
    type: 'claimed',
    namespace,
    ...id,
    at: claimedAt,
    takeover: previous !== undefined,
    durationMs: claimedAt - startedAt,
  });
  if (previous !== undefined) {
    logger.warn('oncely: took over an expired lease; an earlier attempt may have run its effect', {
      ...id,
    });
  }
  const lease = new Lease(engine, id, token, run.leaseMs);
  lease.startHeartbeat(autoExtendFraction);
  let value: T;
  try {
    value = await run.fn(claimContext(id, token, lease));
  } catch (error) {
    lease.stop();
    await releaseAfterError(engine, id, token, error, startedAt);
    throw error;
  }
  lease.stop();
  return completeOwned(engine, id, token, value, startedAt, claimedAt);
}

function claimContext(id: RunIdentity, token: string, lease: Lease): RunContext {
  return {
    ...id,
    token,
    signal: lease.controller.signal,
    extendLease: (leaseMs) => lease.extend(leaseMs),
    addEffect: () => {
      throw new TypeError(
        'addEffect is only available in transactional mode (transactional: true)',
      );
    },
  };
}

async function completeOwned<T>(
  engine: Engine<unknown>,
  id: RunIdentity,
  token: string,
  value: T,
  startedAt: number,
  claimedAt: number,
): Promise<RunResult<T>> {
  const { store, clock, ttlMs, namespace, logger } = engine.options;
  const prepared = prepareResult(engine, id, value);
  const now = clock.now();
  const outcome = await callStore(engine, id, 'complete', () =>
    store.complete(id.storeKey, token, {
      ttlMs,
      now,
      ...(prepared.text === undefined ? {} : { result: prepared.text }),
    }),
  );
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
    logger.warn('oncely: lease lost before completion; the effect may have run twice', { ...id });
    throw new LeaseLostError(
      `Lease on key "${id.storeKey}" was lost before completion: another delivery took over, so the effect may have run twice`,
      'complete',
      { ...id, ...(outcome.current ? { record: outcome.current } : {}) },
    );
  }
  if (outcome.record) engine.cache?.set(outcome.record);
  const at = clock.now();
  engine.emit?.({
    type: 'completed',
    namespace,
    ...id,
    at,
    handlerMs: now - claimedAt,
    durationMs: at - startedAt,
  });
  if (prepared.error) throw prepared.error;
  return { status: 'processed', ...id, result: value };
}

async function releaseAfterError(
  engine: Engine<unknown>,
  id: RunIdentity,
  token: string,
  error: unknown,
  startedAt: number,
): Promise<void> {
  const { store, clock, namespace } = engine.options;
  try {
    const outcome = await callStore(engine, id, 'release', () => store.release(id.storeKey, token));
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
  } catch {
    // Already reported as a store_error; the handler's own error is the one to rethrow,
    // and the unreleased claim simply expires with its lease.
  }
}
