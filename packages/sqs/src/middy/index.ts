/**
 * `@oncely/sqs/middy`: the middy middleware. Its own entry point because its types need
 * `@middy/core`, an optional peer that users of the plain Lambda wrapper never install.
 *
 * @example
 * import middy from '@middy/core';
 * import { sqsDedupMiddleware } from '@oncely/sqs/middy';
 *
 * export const handler = middy().use(sqsDedupMiddleware({ store })).handler(batchHandler);
 */
export { type SqsMiddlewareOptions, sqsDedupMiddleware } from '../lambda/middy.js';
