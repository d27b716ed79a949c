import { describeStoreConformance } from '@oncely/core/testing';
import { describeWithServers } from '@oncely/test-support/servers';
import { freshSchema } from './support.js';

describeWithServers('PostgresStore on PostgreSQL', () => {
  describeStoreConformance(
    'PostgresStore',
    async () => {
      const fresh = await freshSchema();
      return { store: fresh.store, teardown: () => fresh.drop() };
    },
    { batch: true, transactional: true },
  );
});
