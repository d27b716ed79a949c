import type { Deduper } from '@oncely/core';
import { type KafkaDedupOptions, resolveKafkaOptions } from './options.js';
import { kafkaObserver } from './telemetry.js';
import type { EachMessagePayload, KafkaMessage, KafkaMessageContext } from './types.js';

/** The `eachMessage` handler made by {@link createEachMessageHandler}, with its deduper. */
export interface OncelyEachMessage<M extends KafkaMessage = KafkaMessage> {
  (payload: EachMessagePayload<M>): Promise<void>;
  /** The deduper it runs on: for operators (`get`, `delete`) and tests. */
  readonly deduper: Deduper<KafkaMessageContext<M>>;
}

/**
 * Makes a kafkajs `eachMessage` handler that runs `handler` at most once per
 * message key (by default `topic/partition/offset`).
 *
 * - new key: claims it, runs the handler (heartbeating, lease extended), completes
 *   the record; kafkajs then resolves the offset
 * - completed key: skips the handler; the offset is resolved
 * - another member holds a live claim (a rebalance moved the partition while it
 *   ran): waits and retries within `inProgressTimeout`, never running concurrently
 * - handler error, store error, lost lease, unreadable key: throws, so kafkajs does
 *   not resolve this offset and retries from it (the claim was released first)
 *
 * @example
 * import { MemoryStore } from '@oncely/core';
 * import { createEachMessageHandler } from '@oncely/kafka';
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
  const resolved = resolveKafkaOptions(options);
  const observer = kafkaObserver(resolved, options.groupId);
  const handle = async (payload: EachMessagePayload<M>): Promise<void> => {
    const { topic, partition, message } = payload;
    const observed = observer.prepare({ topic, partition, message });
    await observer.settle(observed, {
      heartbeat: () => payload.heartbeat(),
      // kafkajs checks between messages whether to go on; within one there is nothing to stop.
      stopReason: () => undefined,
    });
  };
  return Object.assign(handle, { deduper: resolved.deduper });
}
