import { describeDeduperFlows } from '@oncely/test-support/deduper-flows';
import { connectClient, type TestClient, testPrefix } from '@oncely/test-support/redis-clients';
import { describeWithServers, redisUrl } from '@oncely/test-support/servers';
import { afterAll, beforeAll, describe } from 'vitest';
import { RedisStore } from '../src/index.js';

// The deduper's flows over RedisStore on both client families, end to end: new, duplicate,
// in progress, release on a handler error, takeover after the lease and the stale worker's
// lost lease, an extended lease, a fingerprint mismatch, a hashed long key.
describeWithServers('RedisStore with the deduper', () => {
  describe.each(['node-redis', 'ioredis'] as const)('on %s', (family) => {
    const prefix = testPrefix();
    let client: TestClient;
    let store: RedisStore;
    beforeAll(async () => {
      client = await connectClient(family, redisUrl());
      store = new RedisStore({ client: client.native as never, keyPrefix: prefix });
    });
    afterAll(async () => {
      await client?.dropPrefix(prefix);
      await client?.close();
    });
    describeDeduperFlows(`RedisStore (${family})`, () => store);
  });
});
