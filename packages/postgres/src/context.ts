import type { StoreOperation } from '@oncely/core';
import { postgresStoreError, sqlState } from './faults.js';
import type { PostgresQueryable } from './pool.js';
import { recordOf } from './rows.js';
import type { Statements } from './sql.js';

/** What every operation needs of the store. Internal. */
export interface StoreContext {
  /** `postgres:<schema>.<table>`, for errors. */
  readonly storeName: string;
  /** The table as SQL (quoted, maybe qualified), for errors. */
  readonly table: string;
  readonly statements: Statements;
}

/** A row as node-postgres returns it. */
export type Row = Readonly<Record<string, unknown>>;

/** The record of a row, read for `operation`. Internal. */
export function rowRecord(context: StoreContext, operation: StoreOperation, row: Row) {
  return recordOf(row, context.storeName, operation);
}

/**
 * Errors that belong to one row rather than to the statement: a bad value (class 22,
 * e.g. a NUL character in a fingerprint), a constraint (23), a value over a limit (54).
 * Another item of the same batch would not have failed.
 */
function isRowFault(error: unknown): boolean {
  const state = sqlState(error);
  return state !== undefined && ['22', '23', '54'].includes(state.slice(0, 2));
}

/**
 * Runs one statement over `items` through `send`, which answers one settled outcome per
 * item. A statement is all or nothing, so when it fails for one row's sake, the items are
 * sent again one by one: the bad item fails alone and its siblings get their outcomes.
 * Any other failure (a lost connection, a timeout) fails every item, each with an error
 * naming its own key. Internal.
 */
export async function settleStatement<I extends { readonly key: string }, O>(
  db: PostgresQueryable,
  context: StoreContext,
  operation: StoreOperation,
  items: readonly I[],
  send: (db: PostgresQueryable, items: readonly I[]) => Promise<PromiseSettledResult<O>[]>,
): Promise<PromiseSettledResult<O>[]> {
  try {
    return await send(db, items);
  } catch (error) {
    if (items.length > 1 && isRowFault(error)) {
      const alone: PromiseSettledResult<O>[] = [];
      for (const item of items)
        alone.push(...(await settleStatement(db, context, operation, [item], send)));
      return alone;
    }
    return items.map((item) => ({
      status: 'rejected',
      reason: postgresStoreError(error, { ...context, operation, storeKey: item.key }),
    }));
  }
}

/** The value of a settled outcome, or its error thrown: for the single operations. Internal. */
export function unwrap<T>(result: PromiseSettledResult<T> | undefined): T {
  if (result === undefined) throw new Error('oncely: a statement answered no row for its item');
  if (result.status === 'rejected') throw result.reason;
  return result.value;
}
