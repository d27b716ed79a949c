import type { RunContext } from './context.js';
import type { Engine, RunIdentity } from './engine.js';
import type { ClaimRequest, HeldClaim } from './outcomes.js';
import type { DuplicateRunResult, RunResult } from './result.js';
import { claimKey, releaseHeld, runHeld } from './run-claimed.js';
import { runTransactional } from './run-transactional.js';

/**
 * A key whose handler may run now: from {@link Deduper.claim}. In claim mode the
 * key is held under a lease (heartbeating with `autoExtend`) until `run` or
 * `release`; in transactional mode nothing is held and the commit decides.
 */
export interface ReadyRun {
  readonly status: 'ready';
  readonly key: string;
  readonly storeKey: string;
  /**
   * Runs `fn` under the claim and completes the record, with the same outcomes as
   * `Deduper.run` after its claim. Call it at most once.
   */
  run<T>(fn: (context: RunContext) => Promise<T> | T): Promise<RunResult<T>>;
  /**
   * Gives the key back without running (e.g. a batch stopped early), so the next
   * delivery can claim it at once. A no-op after `run` and in transactional mode.
   */
  release(): Promise<void>;
}

/** What {@link Deduper.claim} returns: a duplicate's outcome, or a key ready to run. */
export type ClaimedRun = DuplicateRunResult<unknown> | ReadyRun;

/** A ready run over a claim this process holds. */
function readyHeld(engine: Engine<unknown>, held: HeldClaim): ReadyRun {
  return readyRun(
    held.id,
    (fn) => runHeld(engine, held, fn),
    () => releaseHeld(engine, held),
  );
}

/** A ready run in transactional mode: nothing is held; `run` is the whole transactional flow. Internal. */
export function readyTransactional(engine: Engine<unknown>, request: ClaimRequest): ReadyRun {
  return readyRun(
    request.id,
    (fn) => runTransactional(engine, { ...request, fn }),
    async () => {},
  );
}

/** Runs at most once, releases at most once, and never both. */
function readyRun(
  id: RunIdentity,
  start: <T>(fn: (context: RunContext) => Promise<T> | T) => Promise<RunResult<T>>,
  giveBack: () => Promise<void>,
): ReadyRun {
  let state: 'held' | 'ran' | 'released' = 'held';
  return {
    status: 'ready',
    ...id,
    run(fn) {
      if (state !== 'held') return Promise.reject(reused(id.key, state));
      state = 'ran';
      return start(fn);
    },
    async release() {
      if (state !== 'held') return;
      state = 'released';
      await giveBack();
    },
  };
}

/** Claims ahead of running: the claim-mode half of `Deduper.claim`. Internal. */
export async function claimAhead(
  engine: Engine<unknown>,
  request: ClaimRequest,
): Promise<ClaimedRun> {
  const step = await claimKey(engine, request);
  return step.kind === 'duplicate' ? step.result : readyHeld(engine, step.held);
}

function reused(key: string, state: 'ran' | 'released'): TypeError {
  return new TypeError(
    `The claim on key "${key}" was already ${state === 'ran' ? 'run' : 'released'}`,
  );
}
