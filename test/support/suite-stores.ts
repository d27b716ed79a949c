/**
 * A store for one suite, made in its `beforeAll` and torn down in its `afterAll`, in the
 * shape the scenario suites take (`{ store, teardown }`): a fresh DynamoDB Local table, a
 * fresh PostgreSQL schema, or a fresh Redis key prefix, each dropped at the end.
 *
 * @example
 * describeSqsScenarios('PostgresStore', { ...postgresSuiteStore('sqs'), sqs: () => sqsClient() });
 */
import type { DedupStore } from '@oncely/core';
import { DynamoDBStore } from '@oncely/dynamodb';
import { RedisStore } from '@oncely/redis';
import { freshPostgresSchema } from './postgres.js';
import { connectClient, testPrefix } from './redis-clients.js';
import { dynamoClient, redisUrl } from './servers.js';
import { freshTable } from './tables.js';

/** What a scenario suite takes to make its store and tear it down. */
export interface SuiteStore {
  readonly store: () => Promise<DedupStore>;
  readonly teardown: () => Promise<void>;
}

/** Makes the store on the suite's first call; tears down what it made. */
function suiteStore(make: () => Promise<{ store: DedupStore; drop: () => Promise<void> }>) {
  let drop: (() => Promise<void>) | undefined;
  return {
    async store() {
      const made = await make();
      drop = made.drop;
      return made.store;
    },
    teardown: async () => drop?.(),
  } satisfies SuiteStore;
}

/** `DynamoDBStore` on a fresh table `oncely-<purpose>-<random>` of DynamoDB Local. */
export function dynamodbSuiteStore(purpose: string): SuiteStore {
  return suiteStore(async () => {
    const client = dynamoClient();
    const table = await freshTable(client, purpose);
    return {
      store: new DynamoDBStore({ client, tableName: table.tableName }),
      async drop() {
        await table.drop();
        client.destroy();
      },
    };
  });
}

/** `PostgresStore` in a fresh schema `oncely_<purpose>_<random>` of the PostgreSQL service. */
export function postgresSuiteStore(purpose: string): SuiteStore {
  return suiteStore(async () => {
    const schema = await freshPostgresSchema(purpose);
    return { store: schema.store, drop: () => schema.drop() };
  });
}

/** `RedisStore` on node-redis, under a fresh key prefix on the Redis service. */
export function redisSuiteStore(): SuiteStore {
  return suiteStore(async () => {
    const client = await connectClient('node-redis', redisUrl());
    const keyPrefix = testPrefix();
    return {
      store: new RedisStore({ client: client.scripts, keyPrefix }),
      async drop() {
        await client.dropPrefix(keyPrefix);
        await client.close();
      },
    };
  });
}
