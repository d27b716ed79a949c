/**
 * Waiting for something a real server does in its own time (a redelivery, a consumer
 * group's rebalance), without sleeping a fixed while.
 *
 * @example
 * import { eventually } from '@oncely/test-support/eventually';
 *
 * await eventually('every message deleted', async () => (await queueDepth(client, q)) === 0);
 */

/** Polls `check` every 50 ms until it returns true, or throws after `timeoutMs` with `what`. */
export async function eventually(
  what: string,
  check: () => Promise<boolean> | boolean,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
