/**
 * The consumer interface: what oncely needs from a Kafka client, whichever client it
 * is. Each binding (`@oncely/kafka/kafkajs`, `/confluent`, `/platformatic`) maps its
 * client's batches, offset commits, heartbeats and rebalance events onto these two
 * shapes; the processors in this package know nothing else about the client.
 */
import type { InterruptReason } from './errors.js';
import type { KafkaMessage } from './types.js';

/**
 * One fetched batch of one partition, as a binding hands it to a processor: the
 * messages in offset order and the client's controls for them.
 */
export interface PartitionBatch<M extends KafkaMessage = KafkaMessage> {
  readonly topic: string;
  readonly partition: number;
  readonly messages: readonly M[];
  /**
   * Marks `offset` processed: the client may commit past it. Called in offset order,
   * and only once the message's record has landed.
   */
  resolveOffset(offset: string): void;
  /** Tells the group coordinator this member is alive (a no-op for a client that heartbeats on its own). */
  heartbeat(): Promise<void>;
  /**
   * Why processing must stop before the next message: `'stale'` once the partition was
   * revoked or seeked, `'stopping'` once the consumer is stopping; `undefined` to go on.
   */
  stopReason(): InterruptReason | undefined;
}

/**
 * How a batch ended: every message processed (`undefined`), or stopped early at
 * `nextOffset` for `reason`, everything before it processed and resolved. A failure
 * is thrown instead, after the messages before it were resolved.
 */
export type BatchEnd =
  | { readonly reason: InterruptReason; readonly nextOffset: string }
  | undefined;

/**
 * The group's rebalance signal: calls `listener` each time this member (re)joins the
 * group, after which any partition may have moved. The watermark processor drops what
 * it remembered on it.
 */
export interface RebalanceSignal {
  onRebalance(listener: () => void): void;
}
