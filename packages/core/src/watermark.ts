/**
 * The storage contract of a watermark: one record per consumer group, topic and partition
 * (or any ordered stream), holding the highest offset whose effects are done. It only
 * moves forward, by one conditional write.
 *
 * A plain contract in core, so that a store package (`@oncely/dynamodb/watermark`) can
 * implement it without importing the adapter that uses it (`@oncely/kafka`): stores import
 * core only.
 */

/** A partition's watermark as stored. */
export interface Watermark {
  /** The highest processed offset, a decimal string (an int64). */
  readonly offset: string;
  /** The random token of the handler instance that wrote it: tells members apart in a conflict. */
  readonly owner: string;
  /** Epoch ms of the write. */
  readonly updatedAt: number;
}

/** The outcome of {@link WatermarkStore.advance}. */
export type AdvanceOutcome =
  | { readonly advanced: true }
  | {
      readonly advanced: false;
      /** The watermark that blocked the write: already at or past the offset. */
      readonly current: Watermark;
    };

/** The new watermark {@link WatermarkStore.advance} writes. */
export interface WatermarkUpdate {
  readonly offset: string;
  readonly owner: string;
  readonly now: number;
}

/**
 * Where watermarks live. `advance` must be one atomic conditional write that only
 * succeeds when the stored offset is absent or lower than the new one, so a
 * watermark never moves backwards, whoever writes it. Offsets are compared as int64
 * numbers, not as strings (`'10'` is above `'9'`). A failing call throws a `StoreError`
 * (`read` as `get`, `advance` as `commit`, `delete` as `delete`), never an outcome.
 * `describeWatermarkStoreConformance` from `@oncely/core/testing` checks all of this.
 */
export interface WatermarkStore {
  /** A short name for logs and errors. */
  readonly name: string;
  /** Reads a watermark, strongly consistent: `undefined` when none was written. */
  read(key: string): Promise<Watermark | undefined>;
  /** Moves the watermark to `update.offset` only if that is higher than the stored one. */
  advance(key: string, update: WatermarkUpdate): Promise<AdvanceOutcome>;
  /** Deletes a watermark (operators: let the partition's messages run again). */
  delete(key: string): Promise<void>;
}
