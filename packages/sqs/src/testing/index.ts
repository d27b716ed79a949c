/**
 * `@oncely/sqs/testing`: a Lambda `Context` and SQS events for tests, with no AWS SDK needed.
 *
 * The driver that runs handlers from a real SQS server is `@oncely/sqs/testing/sqs-server`:
 * it loads `@aws-sdk/client-sqs`, which a test of a plain handler should not need.
 *
 * @example
 * import { createLambdaContext, createSqsEvent, createSqsRecord } from '@oncely/sqs/testing';
 *
 * const context = createLambdaContext({ functionName: 'payments' });
 * await handler(createSqsEvent(createSqsRecord('m-1'), createSqsRecord('m-2')), context);
 */
export {
  createLambdaContext,
  LAMBDA_CONTEXT_DEFAULTS,
  type LambdaContextOptions,
} from './lambda-context.js';
export { createSqsEvent, createSqsRecord, type SqsRecordOptions } from './sqs-record.js';
