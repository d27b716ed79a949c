/**
 * `@oncely/kafka`: effectively-once handlers for kafkajs consumer groups (and the
 * KafkaJS-compatible API of `@confluentinc/kafka-javascript`).
 *
 * - {@link createEachMessageHandler} and {@link createEachBatchHandler}: a record per
 *   message key, claimed before the handler runs (rebalance-safe, catches producer
 *   duplicates with a header or value-field key)
 * - {@link createWatermarkBatchHandler}: one conditional write per partition per batch
 */
export {
  createEachBatchHandler,
  type EachBatchOptions,
  type OncelyEachBatch,
} from './each-batch.js';
export { createEachMessageHandler, type OncelyEachMessage } from './each-message.js';
export {
  BatchInterruptedError,
  type InterruptReason,
  MessageKeyError,
  type MessageKeyProblem,
  WatermarkConflictError,
  type WatermarkOperation,
  WatermarkStoreError,
} from './errors.js';
export type { KeySource, MessageKey, MessageKeyFn } from './keys.js';
export {
  type DeadLetterHandler,
  KAFKA_DEFAULTS,
  type KafkaDedupOptions,
  type MessageHandler,
} from './options.js';
export type {
  EachBatchPayload,
  EachMessagePayload,
  KafkaBatch,
  KafkaHeaders,
  KafkaMessage,
  KafkaMessageContext,
  MessagePosition,
} from './types.js';
export type { RebalanceEvents } from './watermark/cache.js';
export {
  createWatermarkBatchHandler,
  type OncelyWatermarkBatch,
  type WatermarkBatchOptions,
} from './watermark/each-batch.js';
export {
  type AdvanceOutcome,
  MemoryWatermarkStore,
  type Watermark,
  type WatermarkStore,
  type WatermarkUpdate,
} from './watermark/store.js';
