import { describe, expect, it } from 'vitest';
import { runPool } from '../src/measure/pool.js';

describe('runPool', () => {
  it('runs every item once with at most the given concurrency', async () => {
    let inFlight = 0;
    let peak = 0;
    const seen: number[] = [];
    const run = await runPool([1, 2, 3, 4, 5, 6, 7], 3, async (item) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((resolve) => setImmediate(resolve));
      seen.push(item);
      inFlight--;
    });
    expect(seen.sort()).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(peak).toBe(3);
    expect(run.latenciesMs).toHaveLength(7);
  });

  it('rethrows the first error and refuses a bad concurrency', async () => {
    await expect(
      runPool([1, 2], 2, async (item) => {
        if (item === 2) throw new Error('lost message');
      }),
    ).rejects.toThrow('lost message');
    await expect(runPool([1], 0, async () => undefined)).rejects.toThrow(RangeError);
  });
});
