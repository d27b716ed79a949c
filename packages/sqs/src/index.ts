/**
 * `@oncely/sqs`: effectively-once SQS consumers. Lambda batch handlers with partial
 * batch responses (a wrapper and a Powertools record handler), keyed by message ID, a
 * body field or an attribute.
 *
 * The forms that need an optional peer have their own entry points, so that this one
 * loads and type-checks with only `@oncely/core` installed: `@oncely/sqs/middy` (needs
 * `@middy/core`) and `@oncely/sqs/worker` (needs `sqs-consumer` and `@aws-sdk/client-sqs`).
 */
export {
  EarlierCopyFailedError,
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
