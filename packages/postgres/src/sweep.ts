import { StoreError } from '@oncely/core';
import { positiveInteger } from '@oncely/core/adapter';
import type { StoreContext } from './context.js';
import { TableNotFoundError } from './errors.js';
import { isRetryablePostgresError, postgresStoreError } from './faults.js';
import { POSTGRES_STORE_DEFAULTS } from './options.js';
import type { PostgresQueryable } from './pool.js';

/**
 * Options of `PostgresStore.sweep`.
 *
 * @example
 * const options: SweepOptions = { batchSize: 5000, maxBatches: 100 };
 */
export interface SweepOptions {
  /**
   * Records deleted per statement: each chunk is its own short transaction, so a large
   * backlog never holds many locks or a long transaction.
   * @default 1000
   */
  readonly batchSize?: number;
  /**
   * Stop after this many chunks even if more expired records remain (the next run goes on).
   * @default unlimited
   */
  readonly maxBatches?: number;
  /**
   * The clock, epoch ms: records whose window ended by then are deleted. Pass the
   * deduper's clock; a clock running ahead of the workers' deletes records they still count.
   * @default Date.now()
   */
  readonly now?: number;
}

/** Deletes expired records chunk by chunk; answers the count. Internal. */
export async function sweep(
  db: PostgresQueryable,
  context: StoreContext,
  options: SweepOptions,
): Promise<number> {
  const batchSize = positiveInteger(
    'batchSize',
    options.batchSize,
    POSTGRES_STORE_DEFAULTS.sweepBatchSize,
  );
  const maxBatches = positiveInteger('maxBatches', options.maxBatches, Number.MAX_SAFE_INTEGER);
  const now = options.now ?? Date.now();
  // Expired iff expires_at * 1000 <= now, i.e. expires_at <= floor(now / 1000) for whole
  // seconds, which the expiry index can answer.
  const nowSec = Math.floor(now / 1000);
  let deleted = 0;
  for (let chunk = 0; chunk < maxBatches; chunk++) {
    let count: number;
    try {
      const result = await db.query(context.statements.sweep, [nowSec, batchSize]);
      count = result.rowCount ?? 0;
    } catch (cause) {
      const fault = postgresStoreError(cause, {
        ...context,
        operation: 'delete',
        storeKey: '(sweep)',
      });
      if (fault instanceof TableNotFoundError) throw fault;
      throw new StoreError(
        `Store "${context.storeName}" failed to sweep ${context.table} after deleting ${deleted} records: ${cause instanceof Error ? cause.message : String(cause)}`,
        'delete',
        isRetryablePostgresError(cause),
        { cause },
      );
    }
    deleted += count;
    if (count < batchSize) break;
  }
  return deleted;
}
