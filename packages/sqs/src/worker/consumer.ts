import type { Message, MessageSystemAttributeName } from '@aws-sdk/client-sqs';
import type { Deduper } from '@oncely/core';
import { Consumer, type ConsumerOptions } from 'sqs-consumer';
import { runBatch } from '../batch.js';
import { keyedAttribute, type MessageKey, readableKey } from '../key.js';
import type { QueueMessage } from '../message.js';
import { type ResolvedSqsOptions, resolveSqsOptions } from '../options.js';
import { blockedOutcome, type RecordOutcome, reportOutcome } from '../outcome.js';
import { claimMessageAhead, extendContext, type MessageRun, runMessage } from '../run-message.js';
import {
  assertConsumerOptions,
  type ConsumerSettings,
  type DedupConsumerOptions,
  queueName,
  type SqsMessageHandler,
} from './options.js';
import { fromSdkMessage } from './sdk-message.js';

/**
 * Makes an `sqs-consumer` `Consumer` whose handler runs each message at most once per
 * key. sqs-consumer keeps polling, deleting and extending visibility; oncely wraps its
 * `handleMessage` (standard queues) or `handleMessageBatch` (FIFO queues, so each
 * `MessageGroupId` runs in order and stops at its first failure).
 *
 * - Processed and duplicate messages are acknowledged (sqs-consumer deletes them).
 * - Any failure leaves the message on the queue: in `handleMessage` the typed error is
 *   thrown to sqs-consumer (`processing_error`, `terminateVisibilityTimeout` apply); in
 *   `handleMessageBatch` only the successes are returned, and each failure is emitted
 *   as `processing_error` with its typed error.
 * - Lease: `lease` defaults to `visibilityTimeout`, and while a handler runs the lease
 *   is extended every `heartbeatInterval`, as sqs-consumer extends the visibility; a
 *   message reappearing on the queue and its claim expiring stay in step.
 * - Namespace defaults to the queue's name.
 *
 * @example
 * import { createDedupConsumer } from '@oncely/sqs/worker';
 *
 * const consumer = createDedupConsumer({
 *   store,
 *   key: { field: 'orderId' },
 *   consumer: { queueUrl, sqs, batchSize: 10, visibilityTimeout: 30, heartbeatInterval: 10 },
 *   handler: async (message) => ship(JSON.parse(message.Body!)),
 * });
 * consumer.start();
 */
export function createDedupConsumer<T>(options: DedupConsumerOptions<T>): Consumer {
  assertConsumerOptions(options);
  const settings = options.consumer;
  const visibilityMs =
    settings.visibilityTimeout === undefined ? undefined : settings.visibilityTimeout * 1000;
  const resolved = resolveSqsOptions<Message, T>({
    ...options,
    namespace: options.namespace ?? queueName(settings.queueUrl),
    ...(options.lease === undefined && visibilityMs !== undefined ? { lease: visibilityMs } : {}),
  });
  const deduper = resolved.dedupers.for(undefined);
  const fifo = resolved.fifo === 'auto' ? settings.queueUrl.endsWith('.fifo') : resolved.fifo;
  const heartbeatMs =
    settings.heartbeatInterval === undefined ? undefined : settings.heartbeatInterval * 1000;
  const messageRun = (message: QueueMessage<Message>) =>
    heartbeatRun(resolved, deduper, message, options.handler, heartbeatMs);
  const run = (message: QueueMessage<Message>) => runMessage(messageRun(message));

  let consumer: Consumer | undefined;
  const handlers: Pick<ConsumerOptions, 'handleMessage' | 'handleMessageBatch'> = fifo
    ? {
        handleMessageBatch: async (messages) => {
          const outcomes = await runBatch<Message, RecordOutcome<T>>(messages.map(fromSdkMessage), {
            fifo: true,
            concurrency: resolved.concurrency,
            run,
            // A group's claims go to the store together; a key repeated in it is not claimed ahead.
            claimAhead: (message: QueueMessage<Message>) => claimMessageAhead(messageRun(message)),
            laneOf: (message: QueueMessage<Message>) => readableKey(resolved.pickKey, message),
            isFailure: (outcome) => outcome.status === 'failed',
            blocked: blockedOutcome,
          });
          outcomes.forEach((outcome, index) => {
            reportOutcome(resolved, outcome);
            if (outcome.status === 'failed') {
              consumer?.emit(
                'processing_error',
                asError(outcome.error),
                messages[index] as Message,
              );
            }
          });
          return messages.filter((_, index) => outcomes[index]?.status !== 'failed');
        },
      }
    : {
        handleMessage: async (message) => {
          const outcome = await run(fromSdkMessage(message));
          reportOutcome(resolved, outcome);
          if (outcome.status === 'failed') throw asError(outcome.error);
          return message;
        },
      };
  consumer = Consumer.create({ ...withAttributes(settings, options.key, fifo), ...handlers });
  return consumer;
}

/** One message's run, extending its lease every `heartbeatMs` while the handler runs. */
function heartbeatRun<T>(
  options: ResolvedSqsOptions<Message, T>,
  deduper: Deduper<Message>,
  message: QueueMessage<Message>,
  handler: SqsMessageHandler<T>,
  heartbeatMs: number | undefined,
): MessageRun<Message, T> {
  return {
    message,
    deduper,
    pickKey: options.pickKey,
    leaseMs: undefined,
    fn: async (run) => {
      const timer =
        heartbeatMs === undefined
          ? undefined
          : setInterval(() => {
              // A lost lease aborts `run.signal`; the failure itself is logged here.
              run.extendLease().catch((error: unknown) => {
                options.logger.warn('oncely: extending the lease with the visibility failed', {
                  messageId: message.messageId,
                  key: run.key,
                  error,
                });
              });
            }, heartbeatMs);
      try {
        return await handler(
          message.raw,
          extendContext(run, { messageId: message.messageId, receiveCount: message.receiveCount }),
        );
      } finally {
        clearInterval(timer);
      }
    },
  };
}

/**
 * Requests what oncely reads: the receive count, FIFO's group and deduplication IDs, and
 * the keyed message attribute. FIFO order is kept by oncely, so sqs-consumer's FIFO
 * warning is silenced unless set.
 */
function withAttributes(
  settings: ConsumerSettings,
  key: MessageKey<Message> | undefined,
  fifo: boolean,
): ConsumerSettings {
  const system: MessageSystemAttributeName[] = ['ApproximateReceiveCount'];
  if (fifo) system.push('MessageGroupId', 'MessageDeduplicationId');
  if (key === 'deduplicationId') system.push('MessageDeduplicationId');
  const attribute = keyedAttribute(key);
  return {
    ...settings,
    messageSystemAttributeNames: merge(settings.messageSystemAttributeNames, system),
    messageAttributeNames: merge(settings.messageAttributeNames, attribute ? [attribute] : []),
    suppressFifoWarning: settings.suppressFifoWarning ?? fifo,
  };
}

function merge<T extends string>(current: readonly T[] | undefined, needed: readonly T[]): T[] {
  const names = [...(current ?? [])];
  if (names.includes('All' as T)) return names;
  for (const name of needed) if (!names.includes(name)) names.push(name);
  return names;
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
