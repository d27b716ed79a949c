/**
 * `@oncely/webhook/testing`: the webhook scenario suite, the provider kits that sign
 * its requests, and real servers for each adapter. Run the suite against your own
 * adapter or store to check it keeps the same promises.
 *
 * @example
 * import { MemoryStore } from '@oncely/core';
 * import { describeWebhookScenarios, serveHono } from '@oncely/webhook/testing';
 *
 * describeWebhookScenarios('hono', { serve: serveHono, store: () => new MemoryStore() });
 */
export {
  githubKit,
  type ProviderKit,
  type SignedDelivery,
  standardWebhooksKit,
  stripeKit,
} from './kits.js';
export { describeWebhookScenarios, type WebhookScenarioOptions } from './scenarios.js';
export {
  adapterServers,
  type ServedReceiver,
  type ServeReceiver,
  serveExpress,
  serveExpressRaw,
  serveFastify,
  serveHono,
  serveLambda,
} from './servers.js';
