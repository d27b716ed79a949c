import type { Readable } from 'node:stream';
import type { FastifyPluginAsync } from 'fastify';
import type { WebhookHandler } from '../handler.js';
import { toFetchRequest } from './node-http.js';

/** Options of {@link fastifyWebhook}. */
export interface FastifyWebhookOptions {
  /** The route path, e.g. `/webhooks/stripe`. */
  readonly path: string;
  readonly handler: WebhookHandler;
  /**
   * The HTTP method.
   * @default 'POST'
   */
  readonly method?: 'POST' | 'PUT' | 'PATCH';
}

/**
 * A Fastify plugin that serves a webhook receiver on one route. Inside its own
 * encapsulated context it replaces the content type parsers with one that hands the
 * raw, unread body to the receiver (which enforces `maxBodyBytes`), so the other
 * routes keep Fastify's JSON parsing.
 *
 * @example
 * import Fastify from 'fastify';
 * import { fastifyWebhook } from '@oncely/webhook/fastify';
 *
 * const app = Fastify();
 * await app.register(fastifyWebhook, { path: '/webhooks/stripe', handler: receiver });
 */
export const fastifyWebhook: FastifyPluginAsync<FastifyWebhookOptions> = async (
  instance,
  options,
) => {
  const { path, handler, method = 'POST' } = options;
  instance.removeAllContentTypeParsers();
  // The parser passes the raw request stream through untouched: the signature
  // covers the exact bytes, and the receiver reads them with its own limit.
  instance.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
  instance.route({
    method,
    url: path,
    handler: async (request, reply) => {
      // The parser's output: the raw stream, or undefined when the request had no body.
      const body = request.body as Readable | undefined;
      const response = await handler.fetch(toFetchRequest(request.raw, request.url, body));
      return reply.send(response);
    },
  });
};
