/**
 * `@oncely/kafka/kafkajs`: the kafkajs binding. `eachMessage` and `eachBatch` handlers
 * for `consumer.run`, on the client-neutral processors of `@oncely/kafka`.
 *
 * - {@link createEachMessageHandler} and {@link createEachBatchHandler}: a record per
 *   message key, claimed before the handler runs (rebalance-safe, catches producer
 *   duplicates with a header or value-field key)
 * - {@link createWatermarkBatchHandler}: one conditional write per partition per batch
 *
 * The payload types are structural, so nothing here imports kafkajs at run time.
 */
export {
  createEachBatchHandler,
  type EachBatchOptions,
  type OncelyEachBatch,
} from './each-batch.js';
export { createEachMessageHandler, type OncelyEachMessage } from './each-message.js';
export type { EachBatchPayload, EachMessagePayload, KafkaBatch, RebalanceEvents } from './types.js';
export {
  createWatermarkBatchHandler,
  type OncelyWatermarkBatch,
  type WatermarkBatchOptions,
} from './watermark.js';
