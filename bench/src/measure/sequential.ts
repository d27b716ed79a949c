import { nowMs } from './clock.js';

/**
 * Runs `work` over `items` one at a time (one consumer on one core) and returns the
 * wall time in ms. No timing inside the loop, so the clock costs nothing per item.
 *
 * @example
 * const ms = await timeSequential(messages, (message) => processOnce(message));
 * const microsPerMessage = (ms * 1000) / messages.length;
 */
export async function timeSequential<T>(
  items: readonly T[],
  work: (item: T) => Promise<unknown>,
): Promise<number> {
  const started = nowMs();
  for (const item of items) await work(item);
  return nowMs() - started;
}
