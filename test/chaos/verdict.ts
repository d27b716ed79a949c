/**
 * Judges a run: given the keys that were sent, the effects the ledger holds and the
 * events the consumers reported, counts what was lost and which duplicated effects
 * are explained. The rules:
 *
 * - lost: a key sent but with no effect once the run has drained;
 * - transactional mode: every key exactly one effect; any duplicate is a failure;
 * - normal mode: a key may have more than one effect only when another delivery took
 *   over its lease: each extra effect needs one takeover claim of that key (reported
 *   by the consumer that took over, before its handler ran). A lost lease is the same
 *   story told by the attempt that lost it, so it is counted but not needed.
 */
import { countByKey } from './ledger.js';

/** The two ways oncely runs a handler. */
export type RunMode = 'transactional' | 'normal';

/** What a run reported about one key's leases. */
export interface LeaseEvents {
  /** Claims that took over a live-but-expired lease of the key. */
  readonly takeovers: ReadonlyMap<string, number>;
  /** `lease_lost` events of the key (the attempt that was overtaken noticed it). */
  readonly leaseLost: ReadonlyMap<string, number>;
}

/** One key whose effect happened more than once. */
export interface DuplicatedKey {
  readonly key: string;
  readonly effects: number;
  readonly takeovers: number;
  readonly leaseLost: number;
  /** Extra effects not covered by a takeover. */
  readonly unexplained: number;
}

/** The judgement of a run. */
export interface Verdict {
  readonly mode: RunMode;
  /** Distinct keys sent. */
  readonly keys: number;
  /** Effects in the ledger. */
  readonly effects: number;
  /** Keys sent with no effect. */
  readonly lost: readonly string[];
  /** Effects beyond the first of each key. */
  readonly duplicated: number;
  readonly explained: number;
  readonly unexplained: number;
  /** Effects of keys that were never sent (a bug in the run itself). */
  readonly strays: number;
  readonly duplicatedKeys: readonly DuplicatedKey[];
  /** Zero lost, zero unexplained, no strays. */
  readonly ok: boolean;
}

/**
 * Judges one run.
 *
 * @example
 * const verdict = judge('normal', sentKeys, await readLedger(client, ledger), events);
 * if (!verdict.ok) process.exitCode = 1;
 */
export function judge(
  mode: RunMode,
  sentKeys: Iterable<string>,
  effects: readonly { readonly key: string }[],
  events: LeaseEvents,
): Verdict {
  const sent = new Set(sentKeys);
  const counts = countByKey(effects);
  const lost = [...sent].filter((key) => !counts.has(key));
  const strays = [...counts.keys()].filter((key) => !sent.has(key)).length;
  const duplicatedKeys: DuplicatedKey[] = [];
  for (const [key, count] of counts) {
    if (count <= 1) continue;
    const takeovers = events.takeovers.get(key) ?? 0;
    const extra = count - 1;
    // Transactional mode promises exactly once: nothing explains a second effect.
    const covered = mode === 'transactional' ? 0 : Math.min(extra, takeovers);
    duplicatedKeys.push({
      key,
      effects: count,
      takeovers,
      leaseLost: events.leaseLost.get(key) ?? 0,
      unexplained: extra - covered,
    });
  }
  const duplicated = duplicatedKeys.reduce((sum, d) => sum + d.effects - 1, 0);
  const unexplained = duplicatedKeys.reduce((sum, d) => sum + d.unexplained, 0);
  return {
    mode,
    keys: sent.size,
    effects: effects.length,
    lost,
    duplicated,
    explained: duplicated - unexplained,
    unexplained,
    strays,
    duplicatedKeys,
    ok: lost.length === 0 && unexplained === 0 && strays === 0,
  };
}

/** Counts `key` in a map of counters. */
export function bump(counts: Map<string, number>, key: string, by = 1): void {
  counts.set(key, (counts.get(key) ?? 0) + by);
}
