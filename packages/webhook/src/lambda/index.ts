/**
 * `@oncely/webhook/lambda`: the Lambda adapter for Function URLs and API Gateway HTTP
 * APIs. Its types come from `@types/aws-lambda`, a dependency of this package, so the
 * event is typed without anything more to install.
 *
 * @example
 * import { lambdaWebhook } from '@oncely/webhook/lambda';
 *
 * export const handler = lambdaWebhook(receiver);
 */
export { type LambdaWebhookHandler, lambdaWebhook } from '../adapters/lambda.js';
