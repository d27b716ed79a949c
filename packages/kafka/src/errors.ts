import { KeyReadError, OncelyError, StoreError } from '@oncely/core';
import type { MessagePosition } from './types.js';

/** Why a message's key could not be read. */
export type MessageKeyProblem =
  | 'missing_header'
  | 'missing_value'
  | 'unparseable_value'
  | 'missing_field'
  | 'invalid_key';

/**
 * A message whose dedup key cannot be read: a missing header, a value that is not
 * JSON, a missing field, or a key function that threw or returned no string.
 * Nothing was claimed, the handler did not run, and the partition does not move
 * past this message until it is handled (see the `deadLetter` option).
 *
 * A subclass of core's `KeyReadError` (`reason` is the `problem`, `source` where the key
 * was looked for), so one `instanceof KeyReadError` catches the key failures of every
 * adapter.
 */
export class MessageKeyError extends KeyReadError {
  override name = 'MessageKeyError';
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;

  constructor(
    message: string,
    readonly problem: MessageKeyProblem,
    position: MessagePosition,
    cause?: unknown,
    /** Where the key was looked for, e.g. `header idempotency-key`. */
    source = 'key function',
  ) {
    super(message, source, problem, cause === undefined ? {} : { cause });
    this.topic = position.topic;
    this.partition = position.partition;
    this.offset = position.offset;
  }
}

/** Why a batch stopped before its last message. */
export type InterruptReason = 'stale' | 'stopping';

/**
 * A batch stopped early because its partition went stale (revoked or seeked) or the
 * consumer is stopping. Thrown only with `eachBatchAutoResolve: true` (the kafkajs
 * default): returning normally would let the client resolve the whole batch,
 * committing offsets past messages that never ran. Every message before
 * `nextOffset` was processed and resolved; the rest is fetched again.
 */
export class BatchInterruptedError extends OncelyError {
  override name = 'BatchInterruptedError';
  readonly topic: string;
  readonly partition: number;

  constructor(
    readonly reason: InterruptReason,
    position: Omit<MessagePosition, 'offset'>,
    /** The first offset of the batch that was not processed. */
    readonly nextOffset: string,
  ) {
    super(
      `Batch of ${position.topic}/${position.partition} stopped at offset ${nextOffset}: ` +
        (reason === 'stale' ? 'the partition was revoked or seeked' : 'the consumer is stopping') +
        '; the rest of the batch will be fetched again',
    );
    this.topic = position.topic;
    this.partition = position.partition;
  }
}

/**
 * In watermark mode, another consumer moved the partition's watermark to or past
 * the offsets this one just processed: two members ran the same messages (a zombie
 * after a rebalance). The effects of those messages may have run twice; nothing is
 * resolved past the watermark this consumer read.
 */
export class WatermarkConflictError extends OncelyError {
  override name = 'WatermarkConflictError';
  readonly topic: string;
  readonly partition: number;

  constructor(
    position: Omit<MessagePosition, 'offset'>,
    /** The highest offset this consumer processed and tried to record. */
    readonly offset: string,
    /** The watermark found in the store. */
    readonly current: string,
    storeKey: string,
  ) {
    super(
      `Watermark of ${position.topic}/${position.partition} is already at ${current}, at or past ` +
        `offset ${offset} that this consumer processed: another member processed the same ` +
        'messages, so their effects may have run twice',
      { storeKey },
    );
    this.topic = position.topic;
    this.partition = position.partition;
  }
}

/** The watermark operation that failed. */
export type WatermarkOperation = 'read' | 'advance' | 'delete';

const CORE_OPERATION = { read: 'get', advance: 'commit', delete: 'delete' } as const;

/**
 * A watermark store failed (throttling, a timeout, a missing table). A subclass of
 * core's `StoreError` (`read` maps to `get`, `advance` to `commit`), so one
 * `instanceof StoreError` catches every store failure.
 */
export class WatermarkStoreError extends StoreError {
  override name = 'WatermarkStoreError';
  constructor(
    message: string,
    readonly watermarkOperation: WatermarkOperation,
    retryable: boolean,
    storeKey: string,
    cause: unknown,
  ) {
    super(message, CORE_OPERATION[watermarkOperation], retryable, {
      storeKey,
      cause,
    });
  }
}
