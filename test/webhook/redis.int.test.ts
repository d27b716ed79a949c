import { RedisStore } from '@oncely/redis';
import { connectClient, type TestClient, testPrefix } from '@oncely/test-support/redis-clients';
import { describeWithServers, redisUrl } from '@oncely/test-support/servers';
import {
  adapterServers,
  describeWebhookScenarios,
  githubKit,
  serveHono,
  standardWebhooksKit,
} from '@oncely/webhook/testing';
import { afterAll } from 'vitest';

// Every adapter on a real HTTP server on 127.0.0.1, every claim a Lua script on the Redis
// service (node-redis, then ioredis): the same scenarios the unit project runs in memory.
describeWithServers('webhook receivers on Redis', () => {
  const clients: TestClient[] = [];
  const prefix = testPrefix();
  const store = async (family: 'node-redis' | 'ioredis') => {
    const client = await connectClient(family, redisUrl());
    clients.push(client);
    return new RedisStore({ client: client.native as never, keyPrefix: prefix });
  };
  afterAll(async () => {
    for (const client of clients) {
      await client.dropPrefix(prefix);
      await client.close();
    }
  });
  for (const [name, serve] of Object.entries(adapterServers)) {
    describeWebhookScenarios(`${name} + RedisStore (node-redis)`, {
      serve,
      store: () => store('node-redis'),
    });
  }
  for (const kit of [standardWebhooksKit, githubKit]) {
    describeWebhookScenarios('hono + RedisStore (ioredis)', {
      serve: serveHono,
      kit,
      store: () => store('ioredis'),
    });
  }
});
