import type { RebalanceSignal } from '../consumer.js';

/**
 * The watermarks one handler instance wrote itself, so the next batch of the same
 * partition can skip the store read. Internal.
 *
 * An entry is only trusted while nobody else can have moved the watermark: within the
 * same group generation (any rebalance may hand the partition to another member and
 * back) and when the batch starts right after the remembered offset (a seek, a reset or
 * a redelivery starts elsewhere). Anything else reads the store again.
 */

/** A generation-stamped view of the cache, taken when a batch starts. Internal. */
export interface WatermarkCacheLease {
  /** The remembered offset if the batch starting at `firstOffset` may trust it. */
  readonly hit: string | undefined;
  /** Remembers `offset`, written by this instance, unless a rebalance happened since the lease. */
  remember(offset: string): void;
  /** Forgets the partition: a conflict or a failed write leaves its watermark unknown. */
  forget(): void;
}

/** Per-key watermarks this instance wrote, dropped on every group join. Internal. */
export class WatermarkCache {
  private readonly offsets = new Map<string, string>();
  private generation = 0;

  constructor(rebalances: RebalanceSignal) {
    rebalances.onRebalance(() => {
      this.generation++;
      this.offsets.clear();
    });
  }

  /** Looks up `key` for a batch whose first message is at `firstOffset`. */
  lease(key: string, firstOffset: string): WatermarkCacheLease {
    const generation = this.generation;
    const cached = this.offsets.get(key);
    const hit =
      cached !== undefined && BigInt(firstOffset) === BigInt(cached) + 1n ? cached : undefined;
    return {
      hit,
      remember: (offset) => {
        if (this.generation === generation) this.offsets.set(key, offset);
      },
      forget: () => {
        this.offsets.delete(key);
      },
    };
  }
}
