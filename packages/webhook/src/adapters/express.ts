import type { Request as ExpressRequest, RequestHandler } from 'express';
import { RawBodyUnavailableError } from '../errors.js';
import type { WebhookHandler } from '../handler.js';
import { sendFetchResponse, toFetchRequest } from './node-http.js';

/**
 * An Express route handler for a webhook receiver. Mount it with no body parser in
 * front (the adapter reads the raw body itself, capped at `maxBodyBytes`), or behind
 * `express.raw({ type: '*\/*', limit })`, whose `Buffer` it uses as is. A JSON or text
 * parser in front loses the raw bytes the signature covers: the request then fails
 * with `RawBodyUnavailableError`, passed to `next`.
 *
 * @example
 * import express from 'express';
 * import { createWebhookHandler, stripeWebhooks } from '@oncely/webhook';
 * import { expressWebhook } from '@oncely/webhook/express';
 *
 * const app = express();
 * app.post('/webhooks/stripe', expressWebhook(createWebhookHandler({ provider, store, namespace: 'stripe', handler })));
 * app.use(express.json()); // other routes may parse JSON; the webhook route is already mounted
 */
export function expressWebhook(handler: WebhookHandler): RequestHandler {
  return async (req, res, next) => {
    try {
      const request = toFetchRequest(req, req.originalUrl, rawBody(req));
      await sendFetchResponse(res, await handler.fetch(request));
    } catch (error) {
      next(error);
    }
  };
}

function rawBody(req: ExpressRequest) {
  const parsed: unknown = req.body;
  if (Buffer.isBuffer(parsed)) return parsed;
  if (parsed === undefined && !req.readableEnded) return req;
  throw new RawBodyUnavailableError(
    `A body parser read the request to ${req.originalUrl} before the webhook handler, so its raw bytes are gone: mount the route before express.json(), or use express.raw()`,
  );
}
