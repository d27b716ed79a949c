/**
 * The few Redis operations the store needs, as one small interface, so any client can
 * carry it: `fromNodeRedis` and `fromIoredis` adapt the two client families, and a
 * client of your own (a wrapper that counts, traces or routes) implements it directly.
 */

/**
 * One Lua script call: what EVALSHA (or, as the fallback, EVAL) takes.
 *
 * @example
 * const call: ScriptCall = { sha, source, keys: ['oncely:payments#evt_1'], args: ['1', token] };
 */
export interface ScriptCall {
  /** The script's SHA1, for EVALSHA. */
  readonly sha: string;
  /** The script's source, for EVAL when the server answers NOSCRIPT. */
  readonly source: string;
  /**
   * The keys the script touches: one on a cluster client, so Redis Cluster routes the call
   * to its key's node; a batch's keys in one call on a standalone server (see
   * {@link RedisScriptClient.cluster}).
   */
  readonly keys: readonly string[];
  /** For each key in order: how many values follow, then the values. */
  readonly args: readonly string[];
}

/**
 * How {@link RedisScriptClient.runScripts} calls the scripts: by SHA1 (`EVALSHA`), or by
 * source (`EVAL`, after the server answered `NOSCRIPT`).
 *
 * @example
 * const mode: ScriptMode = 'evalsha';
 */
export type ScriptMode = 'evalsha' | 'eval';

/**
 * What `RedisStore` needs from a Redis client. Implement it to wrap a client the
 * adapters do not know, or to count or trace what the store sends.
 *
 * @example
 * const counting: RedisScriptClient = {
 *   ...inner,
 *   runScripts: (calls, mode) => { roundTrips++; return inner.runScripts(calls, mode); },
 * };
 */
export interface RedisScriptClient {
  /**
   * Calls every script in one round trip (a pipeline), with `EVALSHA` or `EVAL`, and
   * answers each call in order: its reply, or the error the server (or the connection)
   * gave it. One call's error must not hide its siblings' replies. Calls go to the
   * server in the given order, so a later call sees an earlier one's writes.
   */
  runScripts(
    calls: readonly ScriptCall[],
    mode: ScriptMode,
  ): Promise<readonly PromiseSettledResult<unknown>[]>;
  /**
   * `false` when the client talks to one standalone server (or a primary with replicas),
   * which takes a script call over keys of any slots: the store then sends a batch of
   * transitions as one script call. `true` (or left out) for a Redis Cluster client, or
   * whenever unsure: each call then touches one key, so it runs wherever that key lives.
   * `fromNodeRedis` and `fromIoredis` set it from the client they adapt; `RedisStore`'s
   * `cluster` option overrides it.
   */
  readonly cluster?: boolean;
  /** `HGETALL key`: the hash's fields, or `{}` when the key does not exist. */
  hgetall(key: string): Promise<Readonly<Record<string, unknown>>>;
  /** `DEL key`. */
  del(key: string): Promise<unknown>;
}

/**
 * True when `value` has a function under each of `names`: how the store tells the client
 * families apart, by the methods they have. Internal.
 */
export function hasMethods<T extends object>(
  value: object,
  ...names: (keyof T & string)[]
): value is T {
  return names.every((name) => typeof (value as Record<string, unknown>)[name] === 'function');
}

/** True when `value` has the methods of a {@link RedisScriptClient}. Internal. */
export function isScriptClient(value: object): value is RedisScriptClient {
  return hasMethods<RedisScriptClient>(value, 'runScripts', 'hgetall', 'del');
}

/** Plain fields from a client's HGETALL answer: an object, or a Map (RESP3 type mappings). */
export function hashFields(reply: unknown): Record<string, unknown> {
  if (reply instanceof Map) return Object.fromEntries(reply);
  if (reply === null || reply === undefined) return {};
  if (typeof reply !== 'object') throw new TypeError(`HGETALL answered ${typeof reply}`);
  return reply as Record<string, unknown>;
}
