import { hashFields, hasMethods, type RedisScriptClient, type ScriptCall } from './client.js';

/**
 * The part of a node-redis client (`redis` / `@redis/client` v4, v5 or v6: `createClient`
 * or `createCluster`) that the store uses. Declared here, not imported, so
 * `@oncely/redis` needs neither client installed to type-check.
 *
 * @example
 * import { createClient } from 'redis';
 * const client: NodeRedisLike = await createClient().connect();
 */
export interface NodeRedisLike {
  evalSha(sha: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
  hGetAll(key: string): Promise<unknown>;
  del(key: string): Promise<unknown>;
  /** A cluster client's (`createCluster`) method; a standalone client has none. */
  readonly nodeClient?: unknown;
}

/** True when `value` looks like a node-redis client (camel-case `evalSha`). Internal. */
export function isNodeRedis(value: object): value is NodeRedisLike {
  return hasMethods<NodeRedisLike>(value, 'evalSha', 'hGetAll');
}

/**
 * Adapts a connected node-redis client. No explicit pipeline is needed: node-redis writes
 * every command issued in the same event-loop turn in one socket write (its auto-
 * pipelining), so the calls sent together here cost one round trip, and each keeps its
 * own reply or error (its `multi().execAsPipeline()` would reject them all for one
 * failure). On a cluster client (`createCluster`, told apart by its `nodeClient` method)
 * each call goes to the node of its key, and the adapter says `cluster: true`.
 *
 * @example
 * import { createClient } from 'redis';
 * const client = await createClient({ url: 'redis://127.0.0.1:6379' }).connect();
 * const store = new RedisStore({ client: fromNodeRedis(client) });
 */
export function fromNodeRedis(client: NodeRedisLike): RedisScriptClient {
  const send = (call: ScriptCall, mode: 'evalsha' | 'eval') => {
    const options = { keys: [...call.keys], arguments: [...call.args] };
    return mode === 'evalsha'
      ? client.evalSha(call.sha, options)
      : client.eval(call.source, options);
  };
  return {
    cluster: typeof client.nodeClient === 'function',
    runScripts: (calls, mode) => Promise.allSettled(calls.map((call) => send(call, mode))),
    hgetall: async (key) => hashFields(await client.hGetAll(key)),
    del: (key) => client.del(key),
  };
}
