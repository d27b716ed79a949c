import { describeWithServers } from '@oncely/test-support/servers';
import {
  adapterServers,
  describeWebhookScenarios,
  githubKit,
  serveHono,
  standardWebhooksKit,
} from '@oncely/webhook/testing';
import { type FreshSchema, freshSchema } from './support.js';

// The webhook scenarios (one run among concurrent deliveries, byte-exact replays, forged
// requests refused before the store, releases on errors, payload mismatches) with every
// claim a statement on PostgreSQL.
describeWithServers('webhook receivers on PostgresStore', () => {
  let fresh: FreshSchema | undefined;
  const store = async () => {
    fresh ??= await freshSchema();
    return fresh.store;
  };
  for (const [name, serve] of Object.entries(adapterServers)) {
    describeWebhookScenarios(`${name} + PostgresStore`, { serve, store });
  }
  for (const kit of [standardWebhooksKit, githubKit]) {
    describeWebhookScenarios('hono + PostgresStore', {
      serve: serveHono,
      kit,
      store,
      // The last suite drops the schema.
      ...(kit === githubKit ? { teardown: () => fresh?.drop() } : {}),
    });
  }
});
