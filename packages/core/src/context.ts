/**
 * What a handler receives while oncely holds its key.
 */
export interface RunContext {
  /** The caller's key. */
  readonly key: string;
  /** The full store key (`namespace#key`, hashed when long). */
  readonly storeKey: string;
  /** The owner token of this claim (`undefined` in transactional mode, which does not claim). */
  readonly token: string | undefined;
  /**
   * Aborted when oncely learns the lease was lost (an extension failed): stop
   * work that has not been committed yet. Made on first read (a getter), so pass
   * the context itself along rather than a spread copy.
   */
  readonly signal: AbortSignal;
  /**
   * Extends the lease by `leaseMs` (default: the configured lease) from now.
   * Throws `LeaseLostError` when another delivery has taken over.
   */
  extendLease(leaseMs?: number): Promise<void>;
  /**
   * Adds a store-specific write to commit atomically with the record
   * (transactional mode only; DynamoDB: a `TransactWriteItem`).
   */
  addEffect(effect: unknown): void;
}
