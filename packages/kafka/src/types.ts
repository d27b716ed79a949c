/**
 * The message shape oncely reads, as plain structural types: kafkajs 2.x and the
 * KafkaJS-compatible API of `@confluentinc/kafka-javascript` pass messages of this
 * shape, and the `@platformatic/kafka` binding converts its messages to it.
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
