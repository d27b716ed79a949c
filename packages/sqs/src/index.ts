/**
 * `@oncely/sqs`: effectively-once SQS consumers. Lambda batch handlers with partial
 * batch responses (a wrapper, a middy middleware and a Powertools record handler) and
 * `sqs-consumer` workers, all keyed by message ID, a body field or an attribute.
 */
export {
  GroupBlockedError,
  InvocationDeadlineError,
  MessageBodyError,
  MessageKeyError,
  ReportedFailureError,
} from './errors.js';
export type { MessageKey } from './key.js';
export {
  createSqsHandler,
  type SqsBatchHandler,
  type SqsHandlerOptions,
} from './lambda/handler.js';
export { type SqsMiddlewareOptions, sqsDedupMiddleware } from './lambda/middy.js';
export {
  LAMBDA_DEFAULTS,
  type LambdaDedupOptions,
  type SqsRecordContext,
  type SqsRecordHandler,
} from './lambda/options.js';
export {
  createRecordHandler,
  type RecordHandlerOptions,
  type RecordSuccess,
} from './lambda/record-handler.js';
export { SQS_DEFAULTS, type SqsDedupOptions } from './options.js';
export type { RecordOutcome } from './outcome.js';
export { createDedupConsumer } from './worker/consumer.js';
export type {
  ConsumerSettings,
  DedupConsumerOptions,
  SqsMessageContext,
  SqsMessageHandler,
} from './worker/options.js';
