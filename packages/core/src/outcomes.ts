/**
 * What every flow (claimed, transactional, claimed ahead) shares: the run's request, the
 * held claim, and the outcomes it ends in (a duplicate, a copy in progress, a completed
 * record), each reported the same way whichever flow reached it. Flows import from here,
 * never from one another. Internal.
 */
import type { RunContext } from './context.js';
import { type Engine, type RunIdentity, replayResult } from './engine.js';
import { InProgressError } from './errors.js';
import { assertSameFingerprint } from './fingerprint-check.js';
import type { Lease } from './lease.js';
import type { DuplicateRunResult } from './result.js';
import type { ClaimOutcome, DedupRecord } from './store.js';

/** What the claim step needs. Internal. */
export interface ClaimRequest {
  readonly id: RunIdentity;
  readonly fingerprint: string | undefined;
  readonly leaseMs: number;
  /** The source's redelivery hint, passed to the store. */
  readonly likelyExists: boolean;
}

/** Per-run inputs the claim flow needs. Internal. */
export interface ClaimRun<T> extends ClaimRequest {
  readonly fn: (context: RunContext) => Promise<T> | T;
}

/** A claim this process holds and has not run yet: its token and its (heartbeating) lease. Internal. */
export interface HeldClaim {
  readonly id: RunIdentity;
  readonly token: string;
  readonly lease: Lease;
  /** When the claim was requested: durations in events count from here. */
  readonly startedAt: number;
}

/** Builds the duplicate result (after the fingerprint check) and reports it. */
export function duplicateResult<T>(
  engine: Engine<unknown>,
  id: RunIdentity,
  record: DedupRecord,
  fingerprint: string | undefined,
  startedAt: number,
): DuplicateRunResult<T> {
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

/**
 * Caches a COMPLETED record for hot duplicates and emits `completed`: the end of every
 * processed run, claimed or transactional. Internal.
 */
export function reportCompleted(
  engine: Engine<unknown>,
  id: RunIdentity,
  record: DedupRecord | undefined,
  handlerMs: number,
  startedAt: number,
): void {
  if (record) engine.cache?.set(record);
  const at = engine.options.clock.now();
  engine.emit?.({
    type: 'completed',
    namespace: engine.options.namespace,
    ...id,
    at,
    handlerMs,
    durationMs: at - startedAt,
  });
}

/**
 * Runs the handler, through the telemetry's `handler` hook when there is one (it times
 * the handler alone, whichever flow runs it). Internal.
 */
export function runHandler<T>(
  engine: Engine<unknown>,
  id: RunIdentity,
  fn: () => Promise<T> | T,
): Promise<T> | T {
  const observe = engine.options.telemetry?.handler;
  if (observe === undefined) return fn();
  return observe({ namespace: engine.options.namespace, key: id.key }, fn);
}
