import type { Handler } from 'hono';
import type { WebhookHandler } from '../handler.js';

/**
 * A Hono handler for a webhook receiver: Hono already speaks the Fetch API, so the
 * request goes to the receiver as it is. Put no body-reading middleware (a
 * validator) in front of the route: the signature covers the raw bytes.
 *
 * @example
 * import { Hono } from 'hono';
 * import { honoWebhook } from '@oncely/webhook/hono';
 *
 * const app = new Hono();
 * app.post('/webhooks/stripe', honoWebhook(receiver));
 */
export function honoWebhook(handler: WebhookHandler): Handler {
  return (c) => handler.fetch(c.req.raw);
}
