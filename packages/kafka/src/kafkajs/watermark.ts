import { InvalidOptionError } from '@oncely/core';
import { describeValue } from '@oncely/core/adapter';
import type { KafkaMessage } from '../types.js';
import {
  createWatermarkProcessor,
  type WatermarkProcessorOptions,
} from '../watermark/processor.js';
import { endBatch, groupJoins, partitionBatch, takeAutoResolve } from './payload.js';
import type { EachBatchPayload, RebalanceEvents } from './types.js';

/** Options of {@link createWatermarkBatchHandler}. */
export interface WatermarkBatchOptions<M extends KafkaMessage = KafkaMessage, T = unknown>
  extends Omit<WatermarkProcessorOptions<M, T>, 'rebalances'> {
  /**
   * Must equal the `eachBatchAutoResolve` passed to `consumer.run` (see `createEachBatchHandler`).
   * @default true
   */
  readonly eachBatchAutoResolve?: boolean;
  /**
   * The consumer running the handler (for `consumer.on` and `consumer.events.GROUP_JOIN`).
   * With it, the handler sees rebalances, so after it wrote a partition's watermark
   * itself it remembers it until the next group join and skips the store read of that
   * partition's next batch (when the batch starts right after the remembered offset).
   * Without it, every batch reads the watermark.
   * @default none: one read per partition per batch
   */
  readonly consumer?: RebalanceEvents;
}

/** The handler made by {@link createWatermarkBatchHandler}, with what operators need. */
export interface OncelyWatermarkBatch<M extends KafkaMessage = KafkaMessage> {
  (payload: EachBatchPayload<M>): Promise<void>;
  /** The store key of a partition's watermark. */
  watermarkKey(topic: string, partition: number): string;
  /** This handler instance's owner token, written with each watermark it moves. */
  readonly owner: string;
}

/**
 * Makes a kafkajs `eachBatch` handler in partition-watermark mode: one watermark read
 * and one conditional write per partition per batch, for a weaker guarantee than a
 * record per message (see `createWatermarkProcessor` for what is skipped and what may
 * run again).
 *
 * @example
 * import { DynamoDBWatermarkStore } from '@oncely/dynamodb/watermark';
 *
 * await consumer.run({
 *   eachBatchAutoResolve: false,
 *   eachBatch: createWatermarkBatchHandler({
 *     watermarks: new DynamoDBWatermarkStore({ client, tableName: 'oncely' }),
 *     groupId: 'metrics',
 *     consumer,
 *     eachBatchAutoResolve: false,
 *     handler: async ({ message }) => counters.add(JSON.parse(String(message.value))),
 *   }),
 * });
 */
export function createWatermarkBatchHandler<M extends KafkaMessage = KafkaMessage, T = unknown>(
  options: WatermarkBatchOptions<M, T>,
): OncelyWatermarkBatch<M> {
  const [autoResolve, { consumer, ...rest }] = takeAutoResolve(options);
  if (
    consumer !== undefined &&
    (consumer === null ||
      typeof consumer.on !== 'function' ||
      typeof consumer.events?.GROUP_JOIN !== 'string')
  ) {
    throw new InvalidOptionError(
      'consumer',
      `expected the consumer running the handler (with on and events.GROUP_JOIN), got ${describeValue(consumer)}`,
    );
  }
  return watermarkBatchHandler<M, T>(
    { ...rest, ...(consumer === undefined ? {} : { rebalances: groupJoins(consumer) }) },
    autoResolve,
  );
}

/**
 * The `eachBatch` handler of watermark mode on any KafkaJS-style payload, given the
 * rebalance signal its client has (the Confluent binding makes it from `rebalance_cb`).
 * `before` runs first for each batch. Internal.
 */
export function watermarkBatchHandler<M extends KafkaMessage, T>(
  options: WatermarkProcessorOptions<M, T>,
  autoResolve: boolean,
  before?: () => void,
): OncelyWatermarkBatch<M> {
  const process = createWatermarkProcessor<M, T>(options);
  const handle = async (payload: EachBatchPayload<M>): Promise<void> => {
    before?.();
    endBatch(payload, await process(partitionBatch(payload)), autoResolve);
  };
  return Object.assign(handle, { watermarkKey: process.watermarkKey, owner: process.owner });
}
