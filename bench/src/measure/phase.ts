import type { RequestCounter } from '@oncely/test-support/request-counter';
import { runPool } from './pool.js';
import { median, percentile } from './stats.js';

/** One timed pass of one contender over a set of items. */
export interface Phase {
  /** Messages processed (items × messages per item). */
  readonly messages: number;
  readonly elapsedMs: number;
  readonly cpuMs: number;
  /** Store requests sent during the pass (0 without a counter). */
  readonly requests: number;
  /** Per-item latencies, in ms (a batch's when items are batches). */
  readonly latenciesMs: readonly number[];
}

/** What a pass needs besides its items and work. */
export interface PhaseOptions {
  /** Items in flight at once. */
  readonly concurrency: number;
  /** Counts the store requests of the pass; reset at its start. */
  readonly requests?: RequestCounter;
  /** Messages in one item (10 for an SQS batch). @default 1 */
  readonly messagesPerItem?: number;
  /** Awaited before each item's clock starts (see {@link runPool}). */
  readonly before?: (index: number) => Promise<void> | undefined;
}

/**
 * Runs one timed pass (see {@link runPool}) and records its messages, time, CPU and
 * store requests.
 *
 * @example
 * const phase = await measurePhase(keys, (key) => deduper.run(key, handler), { concurrency: 16, requests });
 */
export async function measurePhase<T>(
  items: readonly T[],
  work: (item: T, index: number) => Promise<unknown>,
  options: PhaseOptions,
): Promise<Phase> {
  options.requests?.reset();
  const before = options.before;
  const run = await runPool(
    items,
    options.concurrency,
    work,
    before && ((_, index) => before(index)),
  );
  return {
    messages: items.length * (options.messagesPerItem ?? 1),
    elapsedMs: run.elapsedMs,
    cpuMs: run.cpuMs,
    requests: options.requests?.total ?? 0,
    latenciesMs: run.latenciesMs,
  };
}

/** A contender's figures over several passes. */
export interface PhaseSummary {
  /** Median over passes of messages per second. */
  readonly perSecond: number;
  /** Latency percentiles over every item of every pass, in ms. */
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Total CPU ms / total messages. */
  readonly cpuMsPerMessage: number;
  /** Total store requests / total messages. */
  readonly requestsPerMessage: number;
}

/**
 * Summarizes passes: the median throughput (robust to one disturbed pass), pooled
 * latency percentiles, and CPU and requests per message over everything.
 *
 * @example
 * const summary = summarizePhases([phase1, phase2, phase3]);
 */
export function summarizePhases(phases: readonly Phase[]): PhaseSummary {
  const messages = phases.reduce((sum, phase) => sum + phase.messages, 0);
  const latencies = phases.flatMap((phase) => phase.latenciesMs);
  return {
    perSecond: median(phases.map((phase) => phase.messages / (phase.elapsedMs / 1000))),
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    cpuMsPerMessage: phases.reduce((sum, phase) => sum + phase.cpuMs, 0) / messages,
    requestsPerMessage: phases.reduce((sum, phase) => sum + phase.requests, 0) / messages,
  };
}
