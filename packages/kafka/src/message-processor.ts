import type { Deduper } from '@oncely/core';
import type { KeySource } from './keys.js';
import { type KafkaDedupOptions, resolveKafkaOptions } from './options.js';
import type { PartitionControls } from './settle.js';
import { kafkaObserver } from './telemetry.js';
import type { KafkaMessage, KafkaMessageContext } from './types.js';

/** Processes one message; made by {@link createMessageProcessor}. */
export interface MessageProcessor<M extends KafkaMessage = KafkaMessage> {
  /**
   * Takes the message to its end; throws when the partition must not move past it.
   * `heartbeat` keeps the member alive while the handler runs or waits.
   */
  (message: KeySource<M>, heartbeat: () => Promise<void>): Promise<void>;
  /** The deduper it runs on: for operators (`get`, `delete`) and tests. */
  readonly deduper: Deduper<KafkaMessageContext<M>>;
}

/**
 * Makes the client-neutral per-message processor every binding's `eachMessage` runs on:
 * it runs `handler` at most once per message key (by default `topic/partition/offset`).
 *
 * - new key: claims it, runs the handler (heartbeating, lease extended), completes
 *   the record; the client then marks the offset consumed
 * - completed key: skips the handler
 * - another member holds a live claim (a rebalance moved the partition while it
 *   ran): waits and retries within `inProgressTimeout`, never running concurrently
 * - handler error, store error, lost lease, unreadable key: throws, so the client does
 *   not move past this offset and retries from it (the claim was released first)
 */
export function createMessageProcessor<M extends KafkaMessage = KafkaMessage, T = unknown>(
  options: KafkaDedupOptions<M, T>,
): MessageProcessor<M> {
  const resolved = resolveKafkaOptions(options);
  const observer = kafkaObserver(resolved, options.groupId);
  const process = async (source: KeySource<M>, heartbeat: () => Promise<void>) => {
    const controls: PartitionControls = {
      heartbeat,
      // A client checks between messages whether to go on; within one there is nothing to stop.
      stopReason: () => undefined,
    };
    await observer.settle(observer.prepare(source), controls);
  };
  return Object.assign(process, { deduper: resolved.deduper });
}
