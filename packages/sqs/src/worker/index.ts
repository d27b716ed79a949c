/**
 * `@oncely/sqs/worker`: `sqs-consumer` workers for ECS, EC2 and containers. Its own entry
 * point because it loads `sqs-consumer` (and its types need `@aws-sdk/client-sqs`), optional
 * peers that a Lambda handler never installs.
 *
 * @example
 * import { createDedupConsumer } from '@oncely/sqs/worker';
 *
 * const consumer = createDedupConsumer({ store, consumer: { queueUrl, sqs }, handler });
 * consumer.start();
 */
export { createDedupConsumer } from './consumer.js';
export type {
  ConsumerSettings,
  DedupConsumerOptions,
  SqsMessageContext,
  SqsMessageHandler,
} from './options.js';
