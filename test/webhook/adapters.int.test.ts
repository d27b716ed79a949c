import {
  describeWebhookScenarios,
  githubKit,
  type ServeReceiver,
  serveExpress,
  serveFastify,
  serveHono,
  serveLambda,
  standardWebhooksKit,
} from '@oncely/webhook/testing';
import { describeWithServers } from '../support/servers.js';
import { useWebhookTable } from './dynamo-table.js';

// Every adapter on a real HTTP server on 127.0.0.1, every claim a conditional write
// on DynamoDB Local: the same scenarios the unit project runs on the memory store.
const adapters: Record<string, ServeReceiver> = {
  express: serveExpress,
  fastify: serveFastify,
  hono: serveHono,
  'lambda (Function URL events)': serveLambda,
};

describeWithServers('webhook receivers on DynamoDB Local', () => {
  const table = useWebhookTable('webhook-adapters');
  for (const [name, serve] of Object.entries(adapters)) {
    describeWebhookScenarios(`${name} + DynamoDBStore`, { serve, store: table.store });
  }
  for (const kit of [standardWebhooksKit, githubKit]) {
    describeWebhookScenarios('hono + DynamoDBStore', { serve: serveHono, kit, store: table.store });
  }
});
