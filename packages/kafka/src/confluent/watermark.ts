import { InvalidOptionError } from '@oncely/core';
import { takeAutoResolve } from '../kafkajs/payload.js';
import {
  type WatermarkBatchOptions as KafkajsWatermarkBatchOptions,
  type OncelyWatermarkBatch,
  watermarkBatchHandler,
} from '../kafkajs/watermark.js';
import type { KafkaMessage } from '../types.js';
import type { WatermarkProcessorOptions } from '../watermark/processor.js';
import { rebalanceCalls } from './rebalances.js';

/** Options of {@link createWatermarkBatchHandler}. */
export interface WatermarkBatchOptions<M extends KafkaMessage = KafkaMessage, T = unknown>
  extends Omit<KafkajsWatermarkBatchOptions<M, T>, 'consumer'>,
    Pick<WatermarkProcessorOptions<M, T>, 'rebalances'> {}

/**
 * Makes a Confluent KafkaJS-API `eachBatch` handler in partition-watermark mode (see the
 * kafkajs binding's `createWatermarkBatchHandler`). Where kafkajs takes the `consumer`
 * for its `GROUP_JOIN` event, this takes `rebalances`, a signal from
 * {@link createRebalanceSignal} whose `rebalance_cb` is in the consumer's config. A signal
 * from `createRebalanceSignal` that was never called when a batch arrives was not put in
 * the config (an assignment always comes first): the batch fails with
 * `InvalidOptionError`, since a handler that cannot see rebalances must not skip reads.
 *
 * @example
 * const rebalances = createRebalanceSignal();
 * const consumer = kafka.consumer({ kafkaJS: { groupId: 'metrics' }, rebalance_cb: rebalances.rebalance_cb });
 * await consumer.run({
 *   eachBatchAutoResolve: false,
 *   eachBatch: createWatermarkBatchHandler({
 *     watermarks, groupId: 'metrics', rebalances, eachBatchAutoResolve: false,
 *     handler: async ({ message }) => counters.add(JSON.parse(String(message.value))),
 *   }),
 * });
 */
export function createWatermarkBatchHandler<M extends KafkaMessage = KafkaMessage, T = unknown>(
  options: WatermarkBatchOptions<M, T>,
): OncelyWatermarkBatch<M> {
  const [autoResolve, rest] = takeAutoResolve(options);
  const { rebalances } = rest;
  const checkWired = () => {
    if (rebalances !== undefined && rebalanceCalls(rebalances) === 0) {
      throw new InvalidOptionError(
        'rebalances',
        'its rebalance_cb was never called: pass it in the consumer config, kafka.consumer({ kafkaJS: { ... }, rebalance_cb: rebalances.rebalance_cb })',
      );
    }
  };
  return watermarkBatchHandler<M, T>(rest, autoResolve, checkWired);
}
