/**
 * Tallies the oncely events a run's consumers report (in process through `onEvent`,
 * or read back from the workers' event files): how often each type happened, and per
 * key the takeovers and lost leases that explain a duplicated effect.
 */
import type { LeaseEvents } from './verdict.js';
import { bump } from './verdict.js';

/** The part of an oncely event a tally needs. */
export interface TalliedEvent {
  readonly type: string;
  readonly key: string;
  /** On `claimed`: whether the claim took over an expired lease. */
  readonly takeover?: boolean;
  /** On `lease_lost`: whether the effect may have run twice. */
  readonly effectMayRepeat?: boolean;
}

/** Counts events by type, and takeovers and lost leases by key. */
export class EventTally implements LeaseEvents {
  readonly byType = new Map<string, number>();
  readonly takeovers = new Map<string, number>();
  readonly leaseLost = new Map<string, number>();

  /** Records one event; pass it as the deduper's `onEvent`. */
  readonly record = (event: TalliedEvent): void => {
    bump(this.byType, event.type);
    if (event.type === 'claimed' && event.takeover) bump(this.takeovers, event.key);
    if (event.type === 'lease_lost' && event.effectMayRepeat) bump(this.leaseLost, event.key);
  };

  /** How many events of `type` were seen. */
  count(type: string): number {
    return this.byType.get(type) ?? 0;
  }

  /** All takeovers, over every key. */
  get totalTakeovers(): number {
    return sum(this.takeovers);
  }

  /** All lost leases that may have repeated an effect, over every key. */
  get totalLeaseLost(): number {
    return sum(this.leaseLost);
  }
}

function sum(counts: ReadonlyMap<string, number>): number {
  let total = 0;
  for (const count of counts.values()) total += count;
  return total;
}
