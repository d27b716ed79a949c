import type { DedupRecord } from './store.js';

/**
 * A bounded LRU of COMPLETED records, keyed by store key. A Map keeps insertion
 * order, so re-inserting on a hit moves an entry to the back and the front is
 * always the least recently used.
 */
export class CompletedCache {
  private readonly entries = new Map<string, DedupRecord>();

  constructor(private readonly maxEntries: number) {}

  /** The cached record, if it is still inside its dedup window at `nowMs`. */
  get(storeKey: string, nowMs: number): DedupRecord | undefined {
    const record = this.entries.get(storeKey);
    if (record === undefined) return undefined;
    this.entries.delete(storeKey);
    if (record.expiresAt * 1000 <= nowMs) return undefined;
    this.entries.set(storeKey, record);
    return record;
  }

  /** Remembers a COMPLETED record; anything else is ignored. */
  set(record: DedupRecord): void {
    if (record.status !== 'COMPLETED') return;
    this.entries.delete(record.key);
    this.entries.set(record.key, record);
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  /** Forgets a key (an operator deleted it). */
  delete(storeKey: string): void {
    this.entries.delete(storeKey);
  }
}
