import { describeWithServers } from '@oncely/test-support/servers';
import { useStoreTable } from '@oncely/test-support/tables';
import {
  adapterServers,
  describeWebhookScenarios,
  githubKit,
  serveHono,
  standardWebhooksKit,
} from '@oncely/webhook/testing';

// Every adapter on a real HTTP server on 127.0.0.1, every claim a conditional write
// on DynamoDB Local: the same scenarios the unit project runs on the memory store.
describeWithServers('webhook receivers on DynamoDB Local', () => {
  const table = useStoreTable('webhook-adapters');
  for (const [name, serve] of Object.entries(adapterServers)) {
    describeWebhookScenarios(`${name} + DynamoDBStore`, { serve, store: () => table.store });
  }
  for (const kit of [standardWebhooksKit, githubKit]) {
    describeWebhookScenarios('hono + DynamoDBStore', {
      serve: serveHono,
      kit,
      store: () => table.store,
    });
  }
});
