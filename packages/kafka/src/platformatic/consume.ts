import type { Deduper } from '@oncely/core';
import { InvalidOptionError } from '@oncely/core';
import {
  checkObject,
  describeValue,
  optionalBoolean,
  optionalFunction,
  positiveDuration,
  positiveInteger,
} from '@oncely/core/adapter';
import { type BatchProcessorOptions, createBatchProcessor } from '../batch-processor.js';
import type { RebalanceSignal } from '../consumer.js';
import type { KafkaMessageContext } from '../types.js';
import {
  createWatermarkProcessor,
  type WatermarkProcessorOptions,
} from '../watermark/processor.js';
import type { PlatformaticKafkaMessage } from './message.js';
import {
  MAX_BUFFERED,
  MESSAGE_MODE_BATCH,
  type RunnerSettings,
  runStream,
  type StreamConsumption,
  WATERMARK_MODE_BATCH,
} from './runner.js';
import type { PlatformaticConsumer, PlatformaticMessage, PlatformaticStream } from './types.js';

/** What the binding adds to each mode's options: retries, commits, and who sees errors. */
export interface StreamRunOptions {
  /**
   * How many times a failing message is tried again in place (with the delay doubling each
   * time) before consumption stops and `done` rejects.
   * @default 3
   */
  readonly retries?: number;
  /**
   * The delay before the first retry, in ms; each further one doubles it.
   * @default 500
   */
  readonly retryDelay?: number;
  /**
   * `false`: never commit offsets (the group position stays where it was, e.g. in tests of
   * redelivery, or a consumer that commits on its own). @default true
   */
  readonly commit?: boolean;
  /** Sees every failed attempt, retried or final (the final one also rejects `done`). */
  readonly onError?: (error: unknown) => void;
}

/** Options of {@link consumeStream}: the batch processor's options and the binding's. */
export interface ConsumeStreamOptions<
  R extends PlatformaticMessage = PlatformaticMessage,
  T = unknown,
> extends BatchProcessorOptions<PlatformaticKafkaMessage<R>, T>,
    StreamRunOptions {}

/** Options of {@link consumeStreamWithWatermarks}. */
export interface ConsumeWatermarksOptions<
  R extends PlatformaticMessage = PlatformaticMessage,
  T = unknown,
> extends Omit<WatermarkProcessorOptions<PlatformaticKafkaMessage<R>, T>, 'rebalances'>,
    StreamRunOptions {}

/** A running {@link consumeStream}, with the deduper it runs on. */
export interface OncelyStreamConsumption<R extends PlatformaticMessage = PlatformaticMessage>
  extends StreamConsumption {
  /** For operators (`get`, `delete`) and tests. */
  readonly deduper: Deduper<KafkaMessageContext<PlatformaticKafkaMessage<R>>>;
}

/** A running {@link consumeStreamWithWatermarks}, with what operators need. */
export interface OncelyWatermarkConsumption extends StreamConsumption {
  /** The store key of a partition's watermark. */
  watermarkKey(topic: string, partition: number): string;
  /** This consumption's owner token, written with each watermark it moves. */
  readonly owner: string;
}

/**
 * Consumes a `@platformatic/kafka` message stream, running `handler` at most once per message
 * key (see `createBatchProcessor`). The stream's buffered messages are taken per partition as
 * one batch; partitions run concurrently, each in offset order, with claims running up to
 * `claimAhead` messages ahead within the batch (`claimAhead: 0`: one message at a time).
 * After each batch it commits the partition's last recorded offset through the consumer.
 *
 * The stream must come from `consumer.consume({ topics, autocommit: false, mode: 'committed' })`.
 * A failing message (handler error, store error, lost lease, unreadable key without
 * `deadLetter`) is retried in place `retries` times; then consumption stops, nothing at or
 * past it is committed, and `done` rejects with the error.
 *
 * @example
 * const stream = await consumer.consume({ topics: ['orders'], autocommit: false, mode: 'committed' });
 * const run = consumeStream(stream, {
 *   store,
 *   groupId: 'billing',
 *   handler: async ({ message }) => charge(JSON.parse(String(message.value))),
 * });
 * await run.done;
 */
export function consumeStream<R extends PlatformaticMessage, T = unknown>(
  stream: PlatformaticStream<R>,
  options: ConsumeStreamOptions<R, T>,
): OncelyStreamConsumption<R> {
  checkStream(stream);
  checkObject('options', options);
  const { retries, retryDelay, commit, onError, ...rest } = options;
  const settings = runSettings({ retries, retryDelay, commit, onError }, MESSAGE_MODE_BATCH);
  const process = createBatchProcessor<PlatformaticKafkaMessage<R>, T>(rest);
  return { ...runStream(stream, process, settings), deduper: process.deduper };
}

/**
 * Consumes a `@platformatic/kafka` message stream in partition-watermark mode (see
 * `createWatermarkProcessor`): one watermark read and at most one conditional write per
 * partition per batch. The consumer's group joins are its rebalance signal, so a partition's
 * read is skipped while the watermark this consumption wrote cannot have moved.
 *
 * @example
 * const run = consumeStreamWithWatermarks(stream, {
 *   watermarks: new DynamoDBWatermarkStore({ client, tableName: 'oncely' }),
 *   groupId: 'metrics',
 *   handler: async ({ message }) => counters.add(JSON.parse(String(message.value))),
 * });
 */
export function consumeStreamWithWatermarks<R extends PlatformaticMessage, T = unknown>(
  stream: PlatformaticStream<R>,
  options: ConsumeWatermarksOptions<R, T>,
): OncelyWatermarkConsumption {
  checkStream(stream);
  checkObject('options', options);
  const { retries, retryDelay, commit, onError, ...rest } = options;
  const settings = runSettings({ retries, retryDelay, commit, onError }, WATERMARK_MODE_BATCH);
  const process = createWatermarkProcessor<PlatformaticKafkaMessage<R>, T>({
    ...rest,
    rebalances: groupChanges(stream.consumer),
  });
  return {
    ...runStream(stream, process, settings),
    watermarkKey: process.watermarkKey,
    owner: process.owner,
  };
}

/**
 * The consumer's group changes as the client-neutral {@link RebalanceSignal}: each join,
 * and each revocation, which the `'consumer'` group protocol (KIP-848) makes without a
 * join. Either may mean another member ran a partition, so remembered watermarks go.
 */
function groupChanges(consumer: PlatformaticConsumer): RebalanceSignal {
  return {
    onRebalance: (listener) => {
      consumer.on('consumer:group:join', listener);
      consumer.on('consumer:group:rebalance', listener);
    },
  };
}

function runSettings(options: StreamRunOptions, maxBatch: number): RunnerSettings {
  optionalFunction('onError', options.onError);
  return {
    maxBatch,
    maxBuffered: MAX_BUFFERED,
    retries: positiveInteger('retries', options.retries, 3, 0),
    retryDelayMs: positiveDuration('retryDelay', options.retryDelay, 500),
    commit: optionalBoolean('commit', options.commit, true),
    onError: options.onError,
  };
}

function checkStream(stream: PlatformaticStream): void {
  if (
    typeof stream?.[Symbol.asyncIterator] !== 'function' ||
    typeof stream.close !== 'function' ||
    typeof stream.consumer?.commit !== 'function' ||
    typeof stream.consumer.on !== 'function'
  ) {
    throw new InvalidOptionError(
      'stream',
      `expected the MessagesStream of consumer.consume(), got ${describeValue(stream)}`,
    );
  }
}
