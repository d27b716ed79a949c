/**
 * Kills a worker every so often (a random pause in the configured range) until told
 * to stop. The pauses come from the run's seed; what each kill hits depends on timing.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { SeededRandom } from '../faults/seeded-random.js';
import type { WorkerPool } from './worker-pool.js';

/** A running monkey; `stop()` ends it after its current pause. */
export interface ChaosMonkey {
  stop(): Promise<void>;
}

/**
 * Starts killing workers of `pool`.
 *
 * @example
 * const monkey = startChaosMonkey(pool, random, [3_000, 6_000]);
 * // ... the run ...
 * await monkey.stop();
 */
export function startChaosMonkey(
  pool: WorkerPool,
  random: SeededRandom,
  everyMs: readonly [number, number],
): ChaosMonkey {
  const controller = new AbortController();
  const loop = (async () => {
    while (!controller.signal.aborted) {
      try {
        await sleep(random.int(everyMs[0], everyMs[1]), undefined, { signal: controller.signal });
      } catch {
        return;
      }
      pool.killOne(random);
    }
  })();
  return {
    async stop() {
      controller.abort();
      await loop;
    },
  };
}
