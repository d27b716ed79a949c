/**
 * `@oncely/redis`: the Redis and Valkey store for oncely. One Lua script per transition,
 * fenced by the owner token; a batch in one script call on a standalone server, one call
 * per key on a Redis Cluster client; records expire natively. Works with node-redis and
 * ioredis-compatible clients.
 *
 * @example
 * import { createClient } from 'redis';
 * import { createDeduper } from '@oncely/core';
 * import { RedisStore } from '@oncely/redis';
 *
 * const client = await createClient({ url: process.env.REDIS_URL }).connect();
 * const deduper = createDeduper({ store: new RedisStore({ client }), namespace: 'payments' });
 * await deduper.run(event.id, () => chargeCard(event));
 */

export type { RedisScriptClient, ScriptCall, ScriptMode } from './client.js';
export { isRetryableRedisError } from './faults.js';
export { fromIoredis, type IoredisLike, type IoredisPipelineLike } from './ioredis.js';
export { fromNodeRedis, type NodeRedisLike } from './node-redis.js';
export { REDIS_STORE_DEFAULTS, type RedisStoreOptions } from './options.js';
export { RECORD_FIELDS } from './record-hash.js';
export { RedisStore } from './store.js';
