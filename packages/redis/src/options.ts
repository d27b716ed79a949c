import { InvalidOptionError } from '@oncely/core';
import { checkObject, describeValue, positiveInteger } from '@oncely/core/adapter';
import { isScriptClient, type RedisScriptClient } from './client.js';
import { fromIoredis, type IoredisLike, isIoredis } from './ioredis.js';
import { fromNodeRedis, isNodeRedis, type NodeRedisLike } from './node-redis.js';

/**
 * Options of {@link RedisStore}.
 *
 * @example
 * const options: RedisStoreOptions = { client, keyPrefix: 'payments:oncely:' };
 */
export interface RedisStoreOptions {
  /**
   * A connected client: node-redis (`createClient`, `createCluster`), ioredis or iovalkey
   * (`Redis`, `Cluster`), or any {@link RedisScriptClient}. The store never connects,
   * quits or configures it.
   */
  readonly client: NodeRedisLike | IoredisLike | RedisScriptClient;
  /**
   * Put before every store key: a record lives at `<keyPrefix><namespace#key>`. Give each
   * application its own when they share a database. No `{` or `}`: a hash tag would put
   * every record in one Cluster slot.
   * @default 'oncely:'
   */
  readonly keyPrefix?: string;
  /**
   * The largest result, in bytes, a deduper may keep with a record (`createDeduper`
   * refuses a larger `maxResultBytes`). Redis takes values up to 512 MB, but every
   * replay sends the result back and a large value holds the server's single thread.
   * @default 1048576 (1 MiB)
   */
  readonly maxResultBytes?: number;
  /**
   * Whether the client is a Redis Cluster client. On a cluster every script call touches
   * one key, so it runs on that key's node: a batch of 10 claims is 10 `EVALSHA`s (which
   * the client pipelines per node). Otherwise a batch is one `EVALSHA` over all its keys.
   * Set it where the store cannot tell: `true` for a client that routes by key that the
   * store does not know (a proxy that shards, a wrapper of a cluster client), `false` for
   * your own standalone {@link RedisScriptClient}.
   * @default detected: `true` for node-redis `createCluster` and ioredis / iovalkey
   * `Cluster`, `false` for their standalone clients, a `RedisScriptClient`'s own `cluster`
   * (`true` when it does not say)
   */
  readonly cluster?: boolean;
}

/**
 * Defaults of {@link RedisStoreOptions}, in one place.
 *
 * @example
 * REDIS_STORE_DEFAULTS.keyPrefix; // 'oncely:'
 */
export const REDIS_STORE_DEFAULTS = {
  keyPrefix: 'oncely:',
  maxResultBytes: 1024 * 1024,
} as const;

/** Redis's own cap on one value (`proto-max-bulk-len`'s default). */
const MAX_VALUE_BYTES = 512 * 1024 * 1024;
/** Keys up to 1 KiB come from `toStoreKey`; the prefix gets as much again. */
const MAX_PREFIX_BYTES = 1024;

/** Options after validation. Internal. */
export interface ResolvedRedisOptions {
  readonly client: RedisScriptClient;
  readonly keyPrefix: string;
  readonly maxResultBytes: number;
  readonly cluster: boolean;
}

/**
 * Validates every option once, at construction; a bad one throws naming it. The client
 * is recognised by its methods: node-redis by camel-case `evalSha`, ioredis-compatible
 * ones by `evalsha` with `pipeline`, else a {@link RedisScriptClient}. Internal.
 */
export function resolveRedisOptions(options: RedisStoreOptions): ResolvedRedisOptions {
  checkObject('options', options);
  const client = resolveClient(options.client);
  return {
    client,
    keyPrefix: resolveKeyPrefix(options.keyPrefix),
    maxResultBytes: resolveMaxResultBytes(options.maxResultBytes),
    cluster: resolveCluster(options.cluster, client),
  };
}

function resolveCluster(value: unknown, client: RedisScriptClient): boolean {
  if (value === undefined) return client.cluster !== false;
  if (typeof value !== 'boolean') {
    throw new InvalidOptionError('cluster', `expected a boolean, got ${describeValue(value)}`);
  }
  return value;
}

function resolveClient(client: unknown): RedisScriptClient {
  if (client !== null && typeof client === 'object') {
    if (isNodeRedis(client)) return fromNodeRedis(client);
    if (isIoredis(client)) return fromIoredis(client);
    if (isScriptClient(client)) return client;
  }
  throw new InvalidOptionError(
    'client',
    `expected a node-redis, ioredis or iovalkey client, or a RedisScriptClient, got ${describeValue(client)}`,
  );
}

function resolveKeyPrefix(value: unknown): string {
  const prefix = value ?? REDIS_STORE_DEFAULTS.keyPrefix;
  if (typeof prefix !== 'string') {
    throw new InvalidOptionError('keyPrefix', `expected a string, got ${describeValue(value)}`);
  }
  if (/[{}]/.test(prefix)) {
    throw new InvalidOptionError(
      'keyPrefix',
      `${JSON.stringify(prefix)} has a brace: Redis Cluster would hash only the {tag}, putting every record in one slot`,
    );
  }
  if (Buffer.byteLength(prefix, 'utf8') > MAX_PREFIX_BYTES) {
    throw new InvalidOptionError('keyPrefix', `expected at most ${MAX_PREFIX_BYTES} bytes`);
  }
  return prefix;
}

function resolveMaxResultBytes(value: unknown): number {
  const maxResultBytes = positiveInteger(
    'maxResultBytes',
    value,
    REDIS_STORE_DEFAULTS.maxResultBytes,
  );
  if (maxResultBytes > MAX_VALUE_BYTES) {
    throw new InvalidOptionError(
      'maxResultBytes',
      `expected at most ${MAX_VALUE_BYTES} (Redis's largest value), got ${maxResultBytes}`,
    );
  }
  return maxResultBytes;
}
