/**
 * The parts of a KafkaJS-style consumer's `run` payloads that oncely reads, as plain
 * structural types. kafkajs 2.x and the KafkaJS-compatible API of
 * `@confluentinc/kafka-javascript` both satisfy them, so one binding fits both clients
 * without importing either at run time.
 */
import type { KafkaMessage } from '../types.js';

/** The payload of `eachMessage`. */
export interface EachMessagePayload<M extends KafkaMessage = KafkaMessage> {
  readonly topic: string;
  readonly partition: number;
  readonly message: M;
  /** Tells the group coordinator this member is alive (kafkajs sends at most one per `heartbeatInterval`). */
  heartbeat(): Promise<void>;
}

/** A fetched batch of one partition. */
export interface KafkaBatch<M extends KafkaMessage = KafkaMessage> {
  readonly topic: string;
  readonly partition: number;
  readonly messages: readonly M[];
}

/** The payload of `eachBatch`. */
export interface EachBatchPayload<M extends KafkaMessage = KafkaMessage> {
  readonly batch: KafkaBatch<M>;
  /** Marks `offset` consumed: the next commit may move the group's position past it. */
  resolveOffset(offset: string): void;
  heartbeat(): Promise<void>;
  /** False once the consumer is stopping. */
  isRunning(): boolean;
  /** True once the partition was revoked or seeked: the rest of the batch must not be processed. */
  isStale(): boolean;
}

/**
 * The consumer events a watermark handler listens to, to drop what it remembers on a
 * rebalance: kafkajs's `consumer.on` and `consumer.events.GROUP_JOIN`.
 */
export interface RebalanceEvents {
  readonly events: { readonly GROUP_JOIN: string };
  on(eventName: string, listener: () => void): unknown;
}
