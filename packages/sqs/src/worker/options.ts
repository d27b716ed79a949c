import type { Message } from '@aws-sdk/client-sqs';
import { InvalidOptionError, type RunContext } from '@oncely/core';
import { checkObject, describeValue, requireFunction } from '@oncely/core/adapter';
import type { ConsumerOptions } from 'sqs-consumer';
import type { SqsDedupOptions } from '../options.js';

/** What a worker's message handler receives besides the message. */
export interface SqsMessageContext extends RunContext {
  readonly messageId: string;
  /** `ApproximateReceiveCount`: 1 on the first delivery. */
  readonly receiveCount: number | undefined;
}

/** A per-message handler: throw to leave the message on the queue. */
export type SqsMessageHandler<T> = (message: Message, context: SqsMessageContext) => Promise<T> | T;

/** sqs-consumer's options, without the handlers oncely installs. */
export type ConsumerSettings = Omit<ConsumerOptions, 'handleMessage' | 'handleMessageBatch'>;

/** Options of {@link createDedupConsumer}. */
export interface DedupConsumerOptions<T> extends SqsDedupOptions<Message, T> {
  /**
   * sqs-consumer's own options (`queueUrl`, `sqs`, `batchSize`, `visibilityTimeout`,
   * `heartbeatInterval`, `waitTimeSeconds`, `terminateVisibilityTimeout`, ...), passed
   * through. oncely adds the message system attributes and message attribute its `key`
   * and FIFO handling need, and mirrors `visibilityTimeout` and `heartbeatInterval` in
   * the claim's lease.
   */
  readonly consumer: ConsumerSettings;
  /** Processes one message; throw to leave it on the queue. Runs at most once per key. */
  readonly handler: SqsMessageHandler<T>;
}

/** Validates the worker-only options. */
export function assertConsumerOptions<T>(options: DedupConsumerOptions<T>): void {
  checkObject('options', options);
  requireFunction('handler', options.handler, 'a function (message, context) => result');
  const { consumer } = options;
  checkObject('consumer', consumer);
  if (typeof consumer.queueUrl !== 'string' || consumer.queueUrl.length === 0) {
    throw new InvalidOptionError(
      'consumer',
      `expected sqs-consumer options with a queueUrl, got ${describeValue(consumer)}`,
    );
  }
}

/** The queue's name: the last path segment of its URL. */
export function queueName(queueUrl: string): string {
  return queueUrl.replace(/\/+$/, '').split('/').pop() ?? queueUrl;
}
