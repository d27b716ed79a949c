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

/** A contender's own connections: one per handler instance, or one shared by them all. */
export interface RedisConnection {
  /** Redis commands the contender sent, counted on its clients. */
  readonly requests: RequestCounter;
  /** Makes the next handler instance, on its own connection unless the contender shares one. */
  createInstance(work: RecordWork, reportFailure: ReportFailure): LambdaSqsHandler;
  close(): Promise<void>;
}

/**
 * How a contender's handler instances reach Redis. `'own'`: a connection each, as every
 * Lambda execution environment opens its own (the scenario's main rows). `'shared'`: one
 * connection for all of them, as in one long-running process; node-redis then writes the
 * commands of every instance waiting in the same event-loop turn together, so the instances
 * go to the server and back in lockstep (see BENCHMARKS.md).
 */
export type Connections = 'own' | 'shared';

/** A contender of the Lambda SQS scenario on Redis. */
export interface RedisSqsContender {
  readonly name: string;
  readonly handlerRuns: 'unique' | 'every delivery';
  /** Opens the contender's clients to `url`: `instances` of them, or one when shared. */
  connect(url: string, instances: number): Promise<RedisConnection>;
}

/** Opens `count` clients with `open`, and hands them out in turn. */
async function clientsInTurn<T>(count: number, open: () => Promise<T>) {
  const clients = await Promise.all(Array.from({ length: count }, open));
  let next = 0;
  return { clients, next: () => clients[next++ % clients.length] as T };
}

/** One request counter over several clients' counters. */
function summed(counters: readonly RequestCounter[]): RequestCounter {
  return {
    get total() {
      return counters.reduce((sum, counter) => sum + counter.total, 0);
    },
    byCommand() {
      const merged: Record<string, number> = {};
      for (const counter of counters) {
        for (const [command, count] of Object.entries(counter.byCommand())) {
          merged[command] = (merged[command] ?? 0) + count;
        }
      }
      return merged;
    },
    reset: () => {
      for (const counter of counters) counter.reset();
    },
  };
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

function oncelyContender(
  name: string,
  family: Family,
  batching: boolean,
  connections: Connections = 'own',
): RedisSqsContender {
  return {
    name,
    handlerRuns: 'unique',
    async connect(url, instances) {
      // Each contender writes under its own prefix, so none sees another's records.
      const keyPrefix = `bench:${randomUUID().slice(0, 8)}:`;
      const { clients, next } = await clientsInTurn(
        connections === 'own' ? instances : 1,
        async () => {
          const { client, close } = await scriptClient(family, url);
          return { client, close, store: new RedisStore({ client, keyPrefix }) };
        },
      );
      return {
        requests: summed(clients.map(({ client }) => client)),
        close: async () => {
          for (const { close } of clients) await close();
        },
        createInstance: (work, reportFailure) =>
          createSqsHandler({
            store: next().store,
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

/** oncely batched on node-redis, its instances sharing one connection. */
export const oncelyRedisShared = oncelyContender(
  'oncely (batched, node-redis, one shared connection)',
  'node-redis',
  true,
  'shared',
);

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
function powertoolsContender(name: string, connections: Connections): RedisSqsContender {
  return {
    name,
    handlerRuns: 'unique',
    async connect(url, instances) {
      const tally = commandTally();
      // Its own key prefix, as the two Powertools contenders share the server and the IDs.
      const keyPrefix = `bench-${randomUUID().slice(0, 8)}`;
      const { clients, next } = await clientsInTurn(
        connections === 'own' ? instances : 1,
        async () => {
          const client = await nodeRedis(url);
          // The layer's own client interface, counted on the way through.
          const counted: CacheClient = {
            get: (key) => {
              tally.count('GET');
              return client.get(key);
            },
            set: (key, value, options) => {
              tally.count('SET');
              return client.set(key as string, value as string, options as never);
            },
            del: (keys) => {
              tally.count('DEL');
              return client.del(keys);
            },
          };
          return { client, layer: new CachePersistenceLayer({ client: counted }) };
        },
      );
      return {
        requests: tally,
        close: async () => {
          for (const { client } of clients) client.destroy();
        },
        createInstance: (work, reportFailure) =>
          powertoolsHandler(next().layer, work, reportFailure, keyPrefix),
      };
    },
  };
}

/** Powertools on Redis, a connection per handler instance. */
export const powertoolsRedis = powertoolsContender(
  'Powertools (CachePersistenceLayer + processPartialResponse)',
  'own',
);

/** Powertools on Redis, its instances sharing one connection. */
export const powertoolsRedisShared = powertoolsContender(
  'Powertools (one shared connection)',
  'shared',
);

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
  oncelyRedisShared,
  powertoolsRedisShared,
];
