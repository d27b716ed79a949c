/**
 * The in-memory watermark store. The contract (`WatermarkStore`, `Watermark`, ...) lives
 * in `@oncely/core`, so that store packages implement it without importing this adapter;
 * `@oncely/kafka` re-exports it.
 */
import type { AdvanceOutcome, Watermark, WatermarkStore, WatermarkUpdate } from '@oncely/core';

export type { AdvanceOutcome, Watermark, WatermarkStore, WatermarkUpdate };

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
