import { describeDeduperFlows } from '@oncely/test-support/deduper-flows';
import { describeWithServers } from '@oncely/test-support/servers';
import { afterAll, beforeAll } from 'vitest';
import { type FreshSchema, freshSchema } from './support.js';

// The deduper's flows over PostgresStore, end to end: new, duplicate, in progress,
// release on a handler error, takeover after the lease and the stale worker's lost
// lease, an extended lease, a fingerprint mismatch, a hashed long key.
describeWithServers('PostgresStore with the deduper', () => {
  let fresh: FreshSchema;
  beforeAll(async () => {
    fresh = await freshSchema();
  });
  afterAll(() => fresh?.drop());
  describeDeduperFlows('PostgresStore', () => fresh.store);
});
