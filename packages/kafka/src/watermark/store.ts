/**
 * The storage contract of watermark mode: one record per consumer group, topic and
 * partition, holding the highest offset whose effects are done. It only moves
 * forward, by one conditional write.
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
 * watermark never moves backwards, whoever writes it.
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

/** Compares two int64 offsets given as decimal strings. */
export function offsetAbove(offset: string, than: string): boolean {
  return BigInt(offset) > BigInt(than);
}

/**
 * Watermarks in this process's memory: for tests, benchmarks and single-process
 * consumers. Atomic because each call runs synchronously between awaits.
 *
 * @example
 * createWatermarkBatchHandler({ watermarks: new MemoryWatermarkStore(), groupId: 'billing', handler });
 */
export class MemoryWatermarkStore implements WatermarkStore {
  readonly name = 'memory-watermarks';
  private readonly marks = new Map<string, Watermark>();

  async read(key: string): Promise<Watermark | undefined> {
    return this.marks.get(key);
  }

  async advance(key: string, update: WatermarkUpdate): Promise<AdvanceOutcome> {
    const current = this.marks.get(key);
    if (current !== undefined && !offsetAbove(update.offset, current.offset)) {
      return { advanced: false, current };
    }
    this.marks.set(key, { offset: update.offset, owner: update.owner, updatedAt: update.now });
    return { advanced: true };
  }

  async delete(key: string): Promise<void> {
    this.marks.delete(key);
  }
}
