import { randomUUID } from 'node:crypto';
import { CachePersistenceLayer } from '@aws-lambda-powertools/idempotency/cache';
import type { CacheClient } from '@aws-lambda-powertools/idempotency/cache/types';
import { fromIoredis, fromNodeRedis, type RedisScriptClient, RedisStore } from '@oncely/redis';
import { createSqsHandler } from '@oncely/sqs';
import {
  type CountingClient,
  commandTally,
  countingClient,
} from '@oncely/test-support/redis-counter';
import type { RequestCounter } from '@oncely/test-support/request-counter';
import { createClient } from '@redis/client';
import { Redis } from 'ioredis';
import {
  type LambdaSqsHandler,
  noDedup,
  powertoolsHandler,
  type RecordWork,
  type SqsContenderDeps,
} from './sqs-contenders.js';

type ReportFailure = SqsContenderDeps['reportFailure'];

/** A contender's own connection, shared by its instances. */
export interface RedisConnection {
  /** Redis commands the contender sent, counted on its client. */
  readonly requests: RequestCounter;
  createInstance(work: RecordWork, reportFailure: ReportFailure): LambdaSqsHandler;
  close(): Promise<void>;
}

/** A contender of the Lambda SQS scenario on Redis. */
export interface RedisSqsContender {
  readonly name: string;
  readonly handlerRuns: 'unique' | 'every delivery';
  /** Connects the contender's own client to `url`. */
  connect(url: string): Promise<RedisConnection>;
}

/** A connected node-redis client (`@redis/client` v6, the one Powertools' cache layer takes). */
async function nodeRedis(url: string) {
  const client = createClient({ url });
  client.on('error', () => {});
  return client.connect();
}

/** The client family an oncely contender runs on. */
type Family = 'node-redis' | 'ioredis';

async function scriptClient(
  family: Family,
  url: string,
): Promise<{ client: CountingClient; close(): Promise<void> }> {
  if (family === 'node-redis') {
    const client = await nodeRedis(url);
    return { client: countingClient(fromNodeRedis(client)), close: async () => client.destroy() };
  }
  const client = new Redis(url, { lazyConnect: true });
  await client.connect();
  const adapted: RedisScriptClient = fromIoredis(client);
  return { client: countingClient(adapted), close: async () => client.disconnect() };
}

function oncelyContender(name: string, family: Family, batching: boolean): RedisSqsContender {
  return {
    name,
    handlerRuns: 'unique',
    async connect(url) {
      const { client, close } = await scriptClient(family, url);
      // Each contender writes under its own prefix, so none sees another's records.
      const store = new RedisStore({ client, keyPrefix: `bench:${randomUUID().slice(0, 8)}:` });
      return {
        requests: client,
        close,
        createInstance: (work, reportFailure) =>
          createSqsHandler({
            store,
            namespace: 'bench',
            ttl: '24h',
            batching,
            handler: (record) => work(record),
            onOutcome: (outcome) => {
              if (outcome.status === 'failed') reportFailure(outcome.messageId, outcome.error);
            },
          }),
      };
    },
  };
}

/** oncely's Lambda SQS handler on `RedisStore` and node-redis, as it comes (batched). */
export const oncelyRedis = oncelyContender('oncely (batched, node-redis)', 'node-redis', true);

/** The same on ioredis. */
export const oncelyIoredis = oncelyContender('oncely (batched, ioredis)', 'ioredis', true);

/** oncely with batching off: one EVALSHA per claim and per completion. */
export const oncelyRedisPerMessage = oncelyContender(
  'oncely per-message (batching off, node-redis)',
  'node-redis',
  false,
);

/**
 * Powertools with its Redis persistence layer (`CachePersistenceLayer` on `@redis/client`,
 * as its documentation shows), paired with the batch utility the same way as on DynamoDB.
 * A new message costs a `SET NX` and a `SET`; a redelivery a refused `SET NX` and a `GET`.
 */
export const powertoolsRedis: RedisSqsContender = {
  name: 'Powertools (CachePersistenceLayer + processPartialResponse)',
  handlerRuns: 'unique',
  async connect(url) {
    const client = await nodeRedis(url);
    const tally = commandTally();
    // The layer's own client interface, counted on the way through.
    const counted: CacheClient = {
      get: (name) => {
        tally.count('GET');
        return client.get(name);
      },
      set: (name, value, options) => {
        tally.count('SET');
        return client.set(name as string, value as string, options as never);
      },
      del: (keys) => {
        tally.count('DEL');
        return client.del(keys);
      },
    };
    const persistenceStore = new CachePersistenceLayer({ client: counted });
    return {
      requests: tally,
      close: async () => client.destroy(),
      createInstance: (work, reportFailure) =>
        powertoolsHandler(persistenceStore, work, reportFailure),
    };
  },
};

/** The floor: the records in parallel, no dedup, no store. */
export const redisNoDedup: RedisSqsContender = {
  name: noDedup.name,
  handlerRuns: noDedup.handlerRuns,
  async connect() {
    const tally = commandTally();
    return {
      requests: tally,
      close: async () => undefined,
      createInstance: (work, reportFailure) =>
        noDedup.createInstance({ client: undefined as never, tableName: '', reportFailure }, work),
    };
  },
};

/** Every Redis contender, in table order. */
export const REDIS_SQS_CONTENDERS: readonly RedisSqsContender[] = [
  redisNoDedup,
  oncelyRedis,
  oncelyRedisPerMessage,
  oncelyIoredis,
  powertoolsRedis,
];
