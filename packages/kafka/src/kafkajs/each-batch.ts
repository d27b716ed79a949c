import type { Deduper } from '@oncely/core';
import { type BatchProcessorOptions, createBatchProcessor } from '../batch-processor.js';
import type { KafkaMessage, KafkaMessageContext } from '../types.js';
import { endBatch, partitionBatch, takeAutoResolve } from './payload.js';
import type { EachBatchPayload } from './types.js';

/** Options of {@link createEachBatchHandler}. */
export interface EachBatchOptions<M extends KafkaMessage = KafkaMessage, T = unknown>
  extends BatchProcessorOptions<M, T> {
  /**
   * Must equal the `eachBatchAutoResolve` passed to `consumer.run`. With `true` (the
   * client's default) a batch that stops early ends with `BatchInterruptedError`, so
   * the client cannot resolve messages that never ran; with `false` it just returns.
   * @default true
   */
  readonly eachBatchAutoResolve?: boolean;
}

/** The `eachBatch` handler made by {@link createEachBatchHandler}, with its deduper. */
export interface OncelyEachBatch<M extends KafkaMessage = KafkaMessage> {
  (payload: EachBatchPayload<M>): Promise<void>;
  /** The deduper it runs on: for operators (`get`, `delete`) and tests. */
  readonly deduper: Deduper<KafkaMessageContext<M>>;
}

/**
 * Makes a kafkajs `eachBatch` handler that runs `handler` at most once per message
 * key, in partition order, with claims running up to `claimAhead` messages ahead (see
 * `createBatchProcessor`). It stops at once when the batch goes stale or the consumer
 * stops, and on a handler or store error it resolves only the messages before the
 * failing one and throws, so kafkajs retries from there.
 *
 * @example
 * await consumer.run({
 *   eachBatchAutoResolve: false,
 *   eachBatch: createEachBatchHandler({
 *     store,
 *     groupId: 'billing',
 *     eachBatchAutoResolve: false,
 *     handler: async ({ message }) => charge(JSON.parse(String(message.value))),
 *   }),
 * });
 */
export function createEachBatchHandler<M extends KafkaMessage = KafkaMessage, T = unknown>(
  options: EachBatchOptions<M, T>,
): OncelyEachBatch<M> {
  const [autoResolve, rest] = takeAutoResolve(options);
  const process = createBatchProcessor<M, T>(rest);
  const handle = async (payload: EachBatchPayload<M>): Promise<void> => {
    endBatch(payload, await process(partitionBatch(payload)), autoResolve);
  };
  return Object.assign(handle, { deduper: process.deduper });
}
