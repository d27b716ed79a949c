import { MemoryStore } from '@oncely/core';
import {
  adapterServers,
  describeWebhookScenarios,
  githubKit,
  serveExpressRaw,
  serveHono,
  standardWebhooksKit,
} from '@oncely/webhook/testing';

// The same scenarios on every adapter, against the in-memory store; the integration
// project runs them again against DynamoDB Local.
const servers = { ...adapterServers, 'express + express.raw()': serveExpressRaw };
for (const [name, serve] of Object.entries(servers)) {
  describeWebhookScenarios(`${name} + MemoryStore`, { serve, store: () => new MemoryStore() });
}

for (const kit of [standardWebhooksKit, githubKit]) {
  describeWebhookScenarios('hono + MemoryStore', {
    serve: serveHono,
    kit,
    store: () => new MemoryStore(),
  });
}
