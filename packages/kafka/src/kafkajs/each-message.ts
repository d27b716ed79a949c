import type { Deduper } from '@oncely/core';
import { createMessageProcessor } from '../message-processor.js';
import type { KafkaDedupOptions } from '../options.js';
import type { KafkaMessage, KafkaMessageContext } from '../types.js';
import type { EachMessagePayload } from './types.js';

/** The `eachMessage` handler made by {@link createEachMessageHandler}, with its deduper. */
export interface OncelyEachMessage<M extends KafkaMessage = KafkaMessage> {
  (payload: EachMessagePayload<M>): Promise<void>;
  /** The deduper it runs on: for operators (`get`, `delete`) and tests. */
  readonly deduper: Deduper<KafkaMessageContext<M>>;
}

/**
 * Makes a kafkajs `eachMessage` handler that runs `handler` at most once per
 * message key (by default `topic/partition/offset`); see `createMessageProcessor`
 * for what happens to new, completed, in-progress and failing messages. When it
 * throws, kafkajs does not resolve the offset and retries from it.
 *
 * @example
 * import { MemoryStore } from '@oncely/core';
 * import { createEachMessageHandler } from '@oncely/kafka/kafkajs';
 *
 * const consumer = kafka.consumer({ groupId: 'billing' });
 * await consumer.run({
 *   eachMessage: createEachMessageHandler({
 *     store: new MemoryStore(),
 *     groupId: 'billing',
 *     key: { header: 'idempotency-key' },
 *     handler: async ({ message }) => charge(JSON.parse(String(message.value))),
 *   }),
 * });
 */
export function createEachMessageHandler<M extends KafkaMessage = KafkaMessage, T = unknown>(
  options: KafkaDedupOptions<M, T>,
): OncelyEachMessage<M> {
  const process = createMessageProcessor(options);
  const handle = (payload: EachMessagePayload<M>): Promise<void> => {
    const { topic, partition, message } = payload;
    return process({ topic, partition, message }, () => payload.heartbeat());
  };
  return Object.assign(handle, { deduper: process.deduper });
}
