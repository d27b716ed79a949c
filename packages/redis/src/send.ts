import type { RedisScriptClient, ScriptCall } from './client.js';
import { isNoScript } from './faults.js';

/**
 * Sends `calls` by SHA1 in one round trip; the calls the server answers `NOSCRIPT` (its
 * script cache is empty after a restart or a failover, or on a cluster node that has not
 * seen the script) did not run, so they go again by source with `EVAL`, which also loads
 * the script for the next time. No `SCRIPT LOAD` up front: on a cluster it would reach one
 * node only, and the fallback covers every node, one round trip the first time each sees a
 * script. A whole-call failure becomes every call's own rejection. Internal.
 */
export async function sendScripts(
  client: RedisScriptClient,
  calls: readonly ScriptCall[],
): Promise<PromiseSettledResult<unknown>[]> {
  const replies = await settle(client, calls, 'evalsha');
  const missing = replies.flatMap((reply, index) =>
    reply.status === 'rejected' && isNoScript(reply.reason) ? [index] : [],
  );
  if (missing.length === 0) return replies;
  const again = await settle(
    client,
    missing.map((index) => calls[index] as ScriptCall),
    'eval',
  );
  missing.forEach((index, position) => {
    replies[index] = again[position] as PromiseSettledResult<unknown>;
  });
  return replies;
}

async function settle(
  client: RedisScriptClient,
  calls: readonly ScriptCall[],
  mode: 'evalsha' | 'eval',
): Promise<PromiseSettledResult<unknown>[]> {
  try {
    const replies = await client.runScripts(calls, mode);
    if (replies.length !== calls.length) {
      throw new TypeError(
        `runScripts answered ${replies.length} replies for ${calls.length} calls`,
      );
    }
    return [...replies];
  } catch (reason) {
    return calls.map(() => ({ status: 'rejected', reason }));
  }
}
