import type { Message, MessageSystemAttributeName } from '@aws-sdk/client-sqs';
import {
  DEDUPER_DEFAULTS,
  type Deduper,
  type DeduperOptions,
  type Duration,
  InvalidOptionError,
  type OncelyTelemetry,
  parseDuration,
} from '@oncely/core';
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
 *   is extended every `heartbeatInterval` (core's `autoExtend`), as sqs-consumer extends
 *   the visibility; a message reappearing on the queue and its claim expiring stay in step.
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
  const lease = options.lease ?? visibilityMs;
  // The caller's own `autoExtend` wins; else the lease keeps step with sqs-consumer's heartbeat.
  const autoExtend = options.autoExtend
    ? options.autoExtend
    : (heartbeatExtension(settings.heartbeatInterval, lease) ?? options.autoExtend);
  const resolved = resolveSqsOptions<Message, T>({
    ...options,
    namespace: options.namespace ?? queueName(settings.queueUrl),
    ...(lease === undefined ? {} : { lease }),
    ...(autoExtend === undefined ? {} : { autoExtend }),
  });
  const deduper = resolved.dedupers.for(undefined);
  const queue = queueName(settings.queueUrl);
  const fifo = resolved.fifo === 'auto' ? settings.queueUrl.endsWith('.fifo') : resolved.fifo;
  const messageRun = (message: QueueMessage<Message>) =>
    workerRun(resolved, deduper, message, options.handler);
  const run = (message: QueueMessage<Message>) => runMessage(messageRun(message));

  let consumer: Consumer | undefined;
  const handlers: Pick<ConsumerOptions, 'handleMessage' | 'handleMessageBatch'> = fifo
    ? {
        handleMessageBatch: async (messages) => {
          const outcomes = await runBatch<Message, RecordOutcome<T>>(
            messages.map((message) => fromSdkMessage(message, queue)),
            {
              fifo: true,
              concurrency: resolved.concurrency,
              run,
              // A group's claims go to the store together; a key repeated in it is not claimed ahead.
              claimAhead: (message: QueueMessage<Message>) =>
                claimMessageAhead(messageRun(message)),
              laneOf: (message: QueueMessage<Message>) => readableKey(resolved.pickKey, message),
              isFailure: (outcome) => outcome.status === 'failed',
              blocked: blockedOutcome,
            },
          );
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
          const outcome = await run(fromSdkMessage(message, queue));
          reportOutcome(resolved, outcome);
          if (outcome.status === 'failed') throw asError(outcome.error);
          return message;
        },
      };
  consumer = Consumer.create({
    ...withTraceAttributes(withAttributes(settings, options.key, fifo), deduper.telemetry),
    ...handlers,
  });
  return consumer;
}

/**
 * The claim's heartbeat in step with sqs-consumer's: every `heartbeatInterval` seconds the
 * lease moves a whole `lease` ahead, through core's `autoExtend` (which extends every
 * `fraction` of the lease, logs a failed extension and aborts the handler's signal when
 * the lease is lost). sqs-consumer's own heartbeat, which extends the message's
 * visibility (`ChangeMessageVisibility`) on the same interval, is a different thing and
 * stays sqs-consumer's: oncely never touches the visibility. `undefined`: no heartbeat.
 */
function heartbeatExtension(
  heartbeatInterval: number | undefined,
  lease: Duration | undefined,
): DeduperOptions['autoExtend'] {
  if (heartbeatInterval === undefined) return undefined;
  const leaseMs = parseDuration(lease ?? DEDUPER_DEFAULTS.lease);
  // A bad lease: the deduper's own validation names it.
  if (leaseMs === undefined || leaseMs <= 0) return undefined;
  const fraction = (heartbeatInterval * 1000) / leaseMs;
  if (!(fraction > 0 && fraction < 1)) {
    throw new InvalidOptionError(
      'lease',
      `${leaseMs} ms is not longer than the consumer's heartbeatInterval (${heartbeatInterval} s): the claim would expire between two extensions`,
    );
  }
  return { fraction };
}

/** One message's run: the handler with its context. */
function workerRun<T>(
  options: ResolvedSqsOptions<Message, T>,
  deduper: Deduper<Message>,
  message: QueueMessage<Message>,
  handler: SqsMessageHandler<T>,
): MessageRun<Message, T> {
  return {
    message,
    deduper,
    pickKey: options.pickKey,
    leaseMs: undefined,
    fn: (run) =>
      handler(
        message.raw,
        extendContext(run, { messageId: message.messageId, receiveCount: message.receiveCount }),
      ),
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

/**
 * With telemetry on, also requests where a producer's trace context travels: the
 * `traceparent` and `tracestate` message attributes and the `AWSTraceHeader` system one.
 */
function withTraceAttributes(
  settings: ConsumerSettings,
  telemetry: OncelyTelemetry | undefined,
): ConsumerSettings {
  if (telemetry?.message === undefined) return settings;
  return {
    ...settings,
    messageSystemAttributeNames: merge(settings.messageSystemAttributeNames, ['AWSTraceHeader']),
    messageAttributeNames: merge(settings.messageAttributeNames, ['traceparent', 'tracestate']),
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
