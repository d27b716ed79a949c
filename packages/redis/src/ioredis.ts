import {
  hashFields,
  hasMethods,
  type RedisScriptClient,
  type ScriptCall,
  type ScriptMode,
} from './client.js';

/**
 * The pipeline of an ioredis-compatible client, as far as the store uses it.
 *
 * @example
 * const pipeline: IoredisPipelineLike = new Redis().pipeline();
 */
export interface IoredisPipelineLike {
  evalsha(sha: string, numKeys: number, ...keysAndArgs: string[]): unknown;
  eval(script: string, numKeys: number, ...keysAndArgs: string[]): unknown;
  exec(): Promise<[error: Error | null, reply: unknown][] | null>;
}

/**
 * The part of an ioredis-compatible client (`ioredis` v5 or v6, `iovalkey`; a `Redis` or a
 * `Cluster`) that the store uses. Declared here, not imported, so `@oncely/redis` needs
 * neither client installed to type-check.
 *
 * @example
 * import { Redis } from 'ioredis';
 * const client: IoredisLike = new Redis('redis://127.0.0.1:6379');
 */
export interface IoredisLike {
  evalsha(sha: string, numKeys: number, ...keysAndArgs: string[]): Promise<unknown>;
  eval(script: string, numKeys: number, ...keysAndArgs: string[]): Promise<unknown>;
  pipeline(): IoredisPipelineLike;
  hgetall(key: string): Promise<unknown>;
  del(key: string): Promise<unknown>;
  /** `true` on a `Cluster`. */
  readonly isCluster?: boolean;
}

/** True when `value` looks like an ioredis-compatible client (lower-case `evalsha`, `pipeline`). Internal. */
export function isIoredis(value: object): value is IoredisLike {
  return hasMethods<IoredisLike>(value, 'evalsha', 'pipeline', 'hgetall');
}

/**
 * Adapts an ioredis-compatible client. Calls sent together go in one `pipeline()` (one
 * round trip; `exec` answers each command's error or reply). A lone call is sent on its
 * own. On a `Cluster`, whose pipelines refuse keys of different slots, the calls are sent
 * side by side instead; turn on `enableAutoPipelining` there to batch them per node.
 *
 * @example
 * import Redis from 'ioredis';
 * const store = new RedisStore({ client: fromIoredis(new Redis('redis://127.0.0.1:6379')) });
 */
export function fromIoredis(client: IoredisLike): RedisScriptClient {
  const single = (call: ScriptCall, mode: ScriptMode) =>
    mode === 'evalsha'
      ? client.evalsha(call.sha, call.keys.length, ...call.keys, ...call.args)
      : client.eval(call.source, call.keys.length, ...call.keys, ...call.args);
  return {
    cluster: client.isCluster === true,
    async runScripts(calls, mode) {
      if (calls.length === 1 || client.isCluster === true) {
        return Promise.allSettled(calls.map((call) => single(call, mode)));
      }
      const pipeline = client.pipeline();
      for (const call of calls) {
        if (mode === 'evalsha') {
          pipeline.evalsha(call.sha, call.keys.length, ...call.keys, ...call.args);
        } else {
          pipeline.eval(call.source, call.keys.length, ...call.keys, ...call.args);
        }
      }
      const replies = (await pipeline.exec()) ?? [];
      return calls.map((_, index): PromiseSettledResult<unknown> => {
        const [error, reply] = replies[index] ?? [new Error('the pipeline gave no reply'), null];
        return error
          ? { status: 'rejected', reason: error }
          : { status: 'fulfilled', value: reply };
      });
    },
    hgetall: async (key) => hashFields(await client.hgetall(key)),
    del: (key) => client.del(key),
  };
}
