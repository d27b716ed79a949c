/**
 * `@oncely/webhook`: webhook receivers keyed by event ID, and the `Idempotency-Key`
 * header for POST APIs. A Fetch API core (`createWebhookHandler`: `Request` in,
 * `Response` out), providers that verify signatures and name keys, and thin
 * adapters for Express, Fastify, Hono and Lambda, each in its own entry point
 * (`@oncely/webhook/express`, `/fastify`, `/hono`, `/lambda`) so that this one needs no
 * framework, and no framework's types, installed.
 *
 * @example
 * import { MemoryStore } from '@oncely/core';
 * import { createWebhookHandler, stripeWebhooks } from '@oncely/webhook';
 * import { honoWebhook } from '@oncely/webhook/hono';
 *
 * const receiver = createWebhookHandler({
 *   provider: stripeWebhooks({ secret: process.env.STRIPE_WEBHOOK_SECRET! }),
 *   store: new MemoryStore(),
 *   namespace: 'stripe',
 *   handler: async ({ payload }) => Response.json({ received: true }),
 * });
 * app.post('/webhooks/stripe', honoWebhook(receiver));
 */
export type { WebhookDelivery } from './delivery.js';
export {
  MissingKeyError,
  PayloadTooLargeError,
  RawBodyUnavailableError,
  RetryableResponseError,
  WebhookHandlerError,
  WebhookVerificationError,
} from './errors.js';
export {
  createWebhookHandler,
  type WebhookHandler,
  type WebhookRequestOptions,
} from './handler.js';
export {
  WEBHOOK_DEFAULTS,
  type WebhookDeduperOptions,
  type WebhookHandlerFunction,
  type WebhookHandlerOptions,
  type WebhookHandlerResult,
} from './options.js';
export {
  GITHUB_WEBHOOKS_DEFAULTS,
  type GithubWebhooksOptions,
  githubSignatureHeader,
  githubWebhooks,
} from './providers/github.js';
export {
  IDEMPOTENCY_KEY_DEFAULTS,
  type IdempotencyKeyOptions,
  idempotencyKey,
} from './providers/idempotency-key.js';
export type { IncomingRequest, RequestIdentity, WebhookProvider } from './providers/provider.js';
export { type StandardWebhooksOptions, standardWebhooks } from './providers/standard-webhooks.js';
export {
  STRIPE_WEBHOOKS_DEFAULTS,
  type StripeWebhooksOptions,
  stripeSignatureHeader,
  stripeWebhooks,
} from './providers/stripe.js';
export { REPLAYED_HEADER, type StoredResponse } from './stored-response.js';
