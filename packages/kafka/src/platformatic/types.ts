/**
 * The parts of `@platformatic/kafka` that the binding reads, as plain structural types:
 * its `MessagesStream` (from `consumer.consume()`), the `Consumer` behind it and its
 * `Message`. Nothing here imports the client, so users of other clients never install it.
 */

/** A message as `@platformatic/kafka` emits it (default Buffer deserializers, or strings). */
export interface PlatformaticMessage {
  readonly key?: unknown;
  readonly value?: unknown;
  /** Every header in order, repeats included (the `headers` Map keeps only the last). */
  readonly headerEntries?: readonly (readonly [unknown, unknown])[];
  readonly headers?: ReadonlyMap<unknown, unknown>;
  readonly topic: string;
  readonly partition: number;
  readonly offset: bigint;
  readonly timestamp?: bigint;
  /** The record's leader epoch, which an offset commit carries (KIP-320). */
  readonly leaderEpoch?: number;
  /** The client's metadata, with the group generation the message was fetched in. */
  readonly metadata?: { readonly consumer?: { readonly generationId?: number } };
  /** Commits `offset + 1` through the stream; the binding commits through the consumer instead. */
  readonly commit?: unknown;
}

/** One partition's offset to commit: the next offset to read. */
export interface PlatformaticCommitOffset {
  readonly topic: string;
  readonly partition: number;
  readonly offset: bigint;
  readonly leaderEpoch: number;
}

/** The consumer behind a stream: its group assignment, generation, commits and events. */
export interface PlatformaticConsumer {
  /** The partitions this member owns in the current generation; `null` before a join. */
  readonly assignments:
    | readonly { readonly topic: string; readonly partitions: readonly number[] }[]
    | null;
  readonly generationId: number;
  commit(options: { offsets: PlatformaticCommitOffset[] }): Promise<void> | void;
  /**
   * `'consumer:group:join'` fires each time the member (re)joined the group;
   * `'consumer:group:rebalance'` when partitions are taken from it, which under the
   * `groupProtocol: 'consumer'` (KIP-848) group protocol comes without a new join.
   */
  on(event: PlatformaticGroupEvent, listener: () => void): unknown;
  removeListener(event: PlatformaticGroupEvent, listener: () => void): unknown;
}

/** The consumer's group events the binding listens to. */
export type PlatformaticGroupEvent = 'consumer:group:join' | 'consumer:group:rebalance';

/**
 * A `MessagesStream` of `consumer.consume({ ..., autocommit: false })`: an async iterable of
 * messages, its consumer, and `close()`.
 */
export interface PlatformaticStream<R extends PlatformaticMessage = PlatformaticMessage>
  extends AsyncIterable<R> {
  readonly consumer: PlatformaticConsumer;
  close(): Promise<void>;
}
