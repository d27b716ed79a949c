import { MemoryStore } from '@oncely/core';
import {
  describeWebhookScenarios,
  githubKit,
  type ServeReceiver,
  serveExpress,
  serveExpressRaw,
  serveFastify,
  serveHono,
  serveLambda,
  standardWebhooksKit,
} from '@oncely/webhook/testing';

// The same scenarios on every adapter, against the in-memory store; the integration
// project runs them again against DynamoDB Local.
const adapters: Record<string, ServeReceiver> = {
  express: serveExpress,
  'express + express.raw()': serveExpressRaw,
  fastify: serveFastify,
  hono: serveHono,
  'lambda (Function URL events)': serveLambda,
};

for (const [name, serve] of Object.entries(adapters)) {
  describeWebhookScenarios(`${name} + MemoryStore`, { serve, store: () => new MemoryStore() });
}

for (const kit of [standardWebhooksKit, githubKit]) {
  describeWebhookScenarios('hono + MemoryStore', {
    serve: serveHono,
    kit,
    store: () => new MemoryStore(),
  });
}
