import {
  type BatchResults,
  type CompleteItem,
  expiresAtFor,
  type FencedOutcome,
  type ReleaseItem,
} from '@oncely/core';
import { type Row, rowRecord, type StoreContext, settleStatement } from './context.js';
import type { PostgresQueryable } from './pool.js';

type FencedOperation = 'complete' | 'release' | 'extendLease';

/** One lease extension: the single `extendLease`, in the batch statement's shape. */
export interface ExtendItem {
  readonly key: string;
  readonly token: string;
  readonly leaseUntil: number;
}

/**
 * Sends one fenced statement and reads its rows, one per item in order: `ok` when the
 * item's token still owned the record, else `lease_lost` with the record that holds the
 * key now, if any.
 */
function fencedSender<I extends { readonly key: string; readonly token: string }>(
  context: StoreContext,
  operation: FencedOperation,
  text: string,
  values: (items: readonly I[]) => unknown[],
  written: (item: I, row: Row) => FencedOutcome,
) {
  return async (
    db: PostgresQueryable,
    items: readonly I[],
  ): Promise<PromiseSettledResult<FencedOutcome>[]> => {
    const { rows } = await db.query(text, values(items));
    return items.map((item, index) => {
      try {
        const row = rows[index];
        if (row === undefined)
          throw new Error(`the ${operation} statement answered no row for "${item.key}"`);
        if (row.ok === true) return { status: 'fulfilled', value: written(item, row) };
        const current = rowRecord(context, operation, row);
        return {
          status: 'fulfilled',
          value: current
            ? { ok: false, reason: 'lease_lost', current }
            : { ok: false, reason: 'lease_lost' },
        };
      } catch (reason) {
        return { status: 'rejected', reason };
      }
    });
  };
}

/** Completes records, each fenced by its token, in one statement. Internal. */
export function completeMany(
  db: PostgresQueryable,
  context: StoreContext,
  items: readonly CompleteItem[],
): Promise<BatchResults<FencedOutcome>> {
  const send = fencedSender<CompleteItem>(
    context,
    'complete',
    context.statements.complete,
    (batch) => [
      batch.map((item) => item.key),
      batch.map((item) => item.token),
      batch.map((item) => expiresAtFor(item.now, item.ttlMs)),
      batch.map((item) => item.result ?? null),
    ],
    (item, row) => {
      const record = rowRecord(context, 'complete', row);
      // The statement does not send back a result it was just given.
      if (record === undefined || item.result === undefined) return { ok: true, record };
      return { ok: true, record: { ...record, result: item.result } };
    },
  );
  return settleStatement(db, context, 'complete', items, send);
}

/** Releases records, each fenced by its token, in one statement. Internal. */
export function releaseMany(
  db: PostgresQueryable,
  context: StoreContext,
  items: readonly ReleaseItem[],
): Promise<BatchResults<FencedOutcome>> {
  const send = fencedSender<ReleaseItem>(
    context,
    'release',
    context.statements.release,
    (batch) => [batch.map((item) => item.key), batch.map((item) => item.token)],
    () => ({ ok: true }),
  );
  return settleStatement(db, context, 'release', items, send);
}

/** Extends IN_PROGRESS leases, each fenced by its token, in one statement. Internal. */
export function extendMany(
  db: PostgresQueryable,
  context: StoreContext,
  items: readonly ExtendItem[],
): Promise<BatchResults<FencedOutcome>> {
  const send = fencedSender<ExtendItem>(
    context,
    'extendLease',
    context.statements.extend,
    (batch) => [
      batch.map((item) => item.key),
      batch.map((item) => item.token),
      batch.map((item) => item.leaseUntil),
    ],
    (_item, row) => ({ ok: true, record: rowRecord(context, 'extendLease', row) }),
  );
  return settleStatement(db, context, 'extendLease', items, send);
}
