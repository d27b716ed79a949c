import type { RunContext } from './context.js';
import { callStore, type Engine } from './engine.js';
import {
  type ClaimRun,
  duplicateResult,
  inProgress,
  reportCompleted,
  runHandler,
} from './outcomes.js';
import type { RunResult } from './result.js';
import { prepareResult } from './serialize-result.js';
import type { DedupStore } from './store.js';

/**
 * The transactional flow: no claim. The handler collects its writes with
 * `addEffect`, then the COMPLETED record and those writes commit in one atomic
 * request. A concurrent copy may run the handler too, but only one commit lands,
 * so effects kept in the store happen exactly once.
 */
export async function runTransactional<T>(
  engine: Engine<unknown>,
  run: ClaimRun<T>,
): Promise<RunResult<T>> {
  const { store, clock, ttlMs } = engine.options;
  const commit = store.commit as NonNullable<DedupStore['commit']>;
  const { id } = run;
  const startedAt = clock.now();
  const effects: unknown[] = [];
  let signal: AbortSignal | undefined;
  const context: RunContext = {
    ...id,
    token: undefined,
    // Never aborted (no lease to lose), and made only if read: see Lease.signal.
    get signal() {
      signal ??= new AbortController().signal;
      return signal;
    },
    extendLease: async () => {},
    addEffect: (effect) => {
      effects.push(effect);
    },
  };
  const value = await runHandler(engine, id, () => run.fn(context));
  const prepared = prepareResult(engine, id, value);
  if (prepared.error) throw prepared.error;
  const now = clock.now();
  const outcome = await callStore(engine, id, 'commit', () =>
    commit.call(store, id.storeKey, {
      ttlMs,
      now,
      effects,
      ...(prepared.text === undefined ? {} : { result: prepared.text }),
      ...(run.fingerprint === undefined ? {} : { fingerprint: run.fingerprint }),
    }),
  );
  if (outcome.kind === 'duplicate')
    return duplicateResult(engine, id, outcome.record, run.fingerprint, startedAt);
  if (outcome.kind === 'in_progress')
    throw inProgress(engine, id, outcome, run.fingerprint, startedAt);
  reportCompleted(engine, id, outcome.record, now - startedAt, startedAt);
  return { status: 'processed', ...id, result: value };
}
