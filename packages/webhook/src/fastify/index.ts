/**
 * `@oncely/webhook/fastify`: the Fastify plugin. Its own entry point because its types
 * need `fastify`, which users of the other adapters never install.
 *
 * @example
 * import Fastify from 'fastify';
 * import { fastifyWebhook } from '@oncely/webhook/fastify';
 *
 * await Fastify().register(fastifyWebhook, { path: '/webhooks/stripe', handler: receiver });
 */
export { type FastifyWebhookOptions, fastifyWebhook } from '../adapters/fastify.js';
