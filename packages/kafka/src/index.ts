/**
 * `@oncely/kafka`: effectively-once Kafka consumers, for any client. This entry point
 * holds the client-neutral part: the consumer interface ({@link PartitionBatch},
 * {@link RebalanceSignal}), the processors every binding runs on, the key options,
 * the errors and the watermark stores. Each client's binding has its own subpath:
 *
 * - `@oncely/kafka/kafkajs`: `eachMessage` / `eachBatch` handlers for kafkajs
 * - `@oncely/kafka/confluent`: the same for `@confluentinc/kafka-javascript`'s KafkaJS API
 * - `@oncely/kafka/platformatic`: a runner for `@platformatic/kafka`'s message streams
 */
export {
  type BatchProcessor,
  type BatchProcessorOptions,
  createBatchProcessor,
} from './batch-processor.js';
export type { BatchEnd, PartitionBatch, RebalanceSignal } from './consumer.js';
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
export { createMessageProcessor, type MessageProcessor } from './message-processor.js';
export {
  type DeadLetterHandler,
  KAFKA_DEFAULTS,
  type KafkaDedupOptions,
  type MessageHandler,
} from './options.js';
export type {
  KafkaHeaders,
  KafkaMessage,
  KafkaMessageContext,
  MessagePosition,
} from './types.js';
export {
  createWatermarkProcessor,
  type WatermarkProcessor,
  type WatermarkProcessorOptions,
} from './watermark/processor.js';
export {
  type AdvanceOutcome,
  MemoryWatermarkStore,
  type Watermark,
  type WatermarkStore,
  type WatermarkUpdate,
} from './watermark/store.js';
