/**
 * The parts of a consumer's `run` payloads that oncely reads, as plain structural
 * types. kafkajs 2.x and the KafkaJS-compatible API of
 * `@confluentinc/kafka-javascript` both satisfy them, so the same wrappers fit both
 * clients without importing either at run time.
 */

/** Message headers: values are Buffers or strings, possibly repeated. */
export interface KafkaHeaders {
  readonly [name: string]: Buffer | string | readonly (Buffer | string)[] | undefined;
}

/** One consumed message. */
export interface KafkaMessage {
  readonly key?: Buffer | string | null;
  readonly value: Buffer | string | null;
  /** The message's offset in its partition, a decimal string (an int64). */
  readonly offset: string;
  readonly headers?: KafkaHeaders;
  readonly timestamp?: string;
}

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

/** What the user's handler receives for each message. */
export interface KafkaMessageContext<M extends KafkaMessage = KafkaMessage> {
  readonly topic: string;
  readonly partition: number;
  readonly message: M;
  /** The dedup key the message was claimed under (before namespacing). */
  readonly key: string;
}

/** Where a message sits: topic, partition and offset. */
export interface MessagePosition {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
}
