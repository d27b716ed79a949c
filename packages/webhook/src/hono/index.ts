/**
 * `@oncely/webhook/hono`: the Hono handler. Its own entry point because its types need
 * `hono`, which users of the other adapters never install.
 *
 * @example
 * import { Hono } from 'hono';
 * import { honoWebhook } from '@oncely/webhook/hono';
 *
 * new Hono().post('/webhooks/stripe', honoWebhook(receiver));
 */
export { honoWebhook } from '../adapters/hono.js';
