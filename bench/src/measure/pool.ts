import { nowMs } from './clock.js';
import { startCpuMeter } from './cpu.js';

/** What {@link runPool} measured. */
export interface PoolRun {
  /** Wall time from the first start to the last finish, in ms. */
  readonly elapsedMs: number;
  /** CPU time this process spent meanwhile, in ms. */
  readonly cpuMs: number;
  /** Each item's own duration, in ms, in completion order. */
  readonly latenciesMs: readonly number[];
}

/**
 * Runs `work` over `items` with at most `concurrency` in flight (like that many
 * consumers sharing one process) and measures wall time, CPU time and per-item
 * latency. An error stops the run and is rethrown: a benchmark that loses messages
 * measures nothing.
 *
 * @example
 * const run = await runPool(batches, 4, (batch) => handler(batch, lambdaContext));
 * const perSecond = (batches.length * 10) / (run.elapsedMs / 1000);
 */
export async function runPool<T>(
  items: readonly T[],
  concurrency: number,
  work: (item: T, index: number) => Promise<unknown>,
  /** Awaited before an item's clock starts (e.g. wait for what it depends on). */
  before?: (item: T, index: number) => Promise<void> | undefined,
): Promise<PoolRun> {
  if (!(Number.isInteger(concurrency) && concurrency > 0)) {
    throw new RangeError(`concurrency must be a positive integer, got ${concurrency}`);
  }
  const latenciesMs: number[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      await before?.(items[index] as T, index);
      const started = nowMs();
      await work(items[index] as T, index);
      latenciesMs.push(nowMs() - started);
    }
  };
  const cpu = startCpuMeter();
  const started = nowMs();
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return { elapsedMs: nowMs() - started, cpuMs: cpu.stop(), latenciesMs };
}
