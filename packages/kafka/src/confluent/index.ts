/**
 * `@oncely/kafka/confluent`: the binding for the KafkaJS-compatible API of
 * `@confluentinc/kafka-javascript` (`KafkaJS.Kafka`). Its `eachMessage` and `eachBatch`
 * payloads have the fields the kafkajs binding reads, so the per-message and batch
 * handlers are the kafkajs binding's own; what differs is the rebalance signal of
 * watermark mode, which comes from the consumer config's `rebalance_cb`.
 *
 * - {@link createEachMessageHandler} and {@link createEachBatchHandler}: a record per message key
 * - {@link createWatermarkBatchHandler} with {@link createRebalanceSignal}: one conditional
 *   write per partition per batch
 *
 * The payload types are structural, so nothing here imports the client at run time.
 */
export {
  createEachBatchHandler,
  createEachMessageHandler,
  type EachBatchOptions,
  type EachBatchPayload,
  type EachMessagePayload,
  type KafkaBatch,
  type OncelyEachBatch,
  type OncelyEachMessage,
  type OncelyWatermarkBatch,
} from '../kafkajs/index.js';
export {
  type ConfluentRebalanceSignal,
  createRebalanceSignal,
  type RebalanceCallback,
} from './rebalances.js';
export { createWatermarkBatchHandler, type WatermarkBatchOptions } from './watermark.js';
