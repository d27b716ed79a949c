/**
 * `@oncely/webhook/express`: the Express adapter. Its own entry point because its types
 * need `@types/express`, which users of the other adapters never install.
 *
 * @example
 * import express from 'express';
 * import { expressWebhook } from '@oncely/webhook/express';
 *
 * express().post('/webhooks/stripe', expressWebhook(receiver));
 */
export { expressWebhook } from '../adapters/express.js';
