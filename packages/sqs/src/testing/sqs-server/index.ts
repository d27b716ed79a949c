/**
 * `@oncely/sqs/testing/sqs-server`: drive Lambda SQS handlers from a real SQS server
 * (ElasticMQ, LocalStack or AWS) the way Lambda's event source mapping does, so handlers
 * are tested with real visibility timeouts, receive counts, FIFO groups and dead-letter
 * queues; and make, fill and read the queues such tests use. Needs `@aws-sdk/client-sqs`.
 *
 * @example
 * import { createSqsEventSource } from '@oncely/sqs/testing/sqs-server';
 *
 * const source = createSqsEventSource({ client, queueUrl, handler });
 * const invocations = await source.drain();
 */
export {
  createSqsEventSource,
  EVENT_SOURCE_DEFAULTS,
  type Invocation,
  type LambdaSqsHandler,
  type SqsEventSource,
  type SqsEventSourceOptions,
} from '../event-source.js';
export { toLambdaRecord } from '../records.js';
export {
  type CreateQueueOptions,
  createQueue,
  deleteQueue,
  type OutgoingMessage,
  queueDepth,
  receiveVisible,
  sendMessages,
  type TestQueue,
} from './queues.js';
