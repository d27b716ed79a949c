import {
  type BatchResults,
  type CompleteItem,
  expiresAtFor,
  type FencedOutcome,
  type ReleaseItem,
} from '@oncely/core';
import { type Row, rowRecord, type StoreContext, settleStatement } from './context.js';
import type { PostgresQueryable } from './pool.js';

/** One lease extension: the single `extendLease`, in the batch statement's shape. */
export interface ExtendItem {
  readonly key: string;
  readonly token: string;
  readonly leaseUntil: number;
}

type Fenced = { readonly key: string; readonly token: string };

/** How one fenced write is sent: its statement, its parameters, and what a written row means. Internal. */
export interface FencedWrite<I extends Fenced> {
  readonly operation: 'complete' | 'release' | 'extendLease';
  readonly text: string;
  /** The statement's array parameters after the keys and the tokens. */
  readonly values: (items: readonly I[]) => unknown[];
  readonly written: (item: I, row: Row) => FencedOutcome;
}

/**
 * Sends one fenced statement for `items` and reads its rows, one per item in order: `ok`
 * when the item's token still owned the record, else `lease_lost` with the record that
 * holds the key now, if any. Internal.
 */
export function fencedMany<I extends Fenced>(
  db: PostgresQueryable,
  context: StoreContext,
  items: readonly I[],
  write: FencedWrite<I>,
): Promise<BatchResults<FencedOutcome>> {
  const { operation } = write;
  return settleStatement(db, context, operation, items, async (client, batch) => {
    const { rows } = await client.query(write.text, [
      batch.map((item) => item.key),
      batch.map((item) => item.token),
      ...write.values(batch),
    ]);
    return batch.map((item, index): PromiseSettledResult<FencedOutcome> => {
      try {
        const row = rows[index];
        if (row === undefined)
          throw new Error(`the ${operation} statement answered no row for "${item.key}"`);
        if (row.ok === true) return { status: 'fulfilled', value: write.written(item, row) };
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
  });
}

/** The three fenced writes of one table. Internal. */
export interface FencedWrites {
  readonly complete: FencedWrite<CompleteItem>;
  readonly release: FencedWrite<ReleaseItem>;
  readonly extend: FencedWrite<ExtendItem>;
}

/** Builds the fenced writes for the store's table, once. Internal. */
export function fencedWrites(context: StoreContext): FencedWrites {
  const { statements } = context;
  return {
    complete: {
      operation: 'complete',
      text: statements.complete,
      values: (batch) => [
        batch.map((item) => expiresAtFor(item.now, item.ttlMs)),
        batch.map((item) => item.result ?? null),
      ],
      written: (item, row) => {
        const record = rowRecord(context, 'complete', row);
        // The statement does not send back a result it was just given.
        if (record === undefined || item.result === undefined) return { ok: true, record };
        return { ok: true, record: { ...record, result: item.result } };
      },
    },
    release: {
      operation: 'release',
      text: statements.release,
      values: () => [],
      written: () => ({ ok: true }),
    },
    extend: {
      operation: 'extendLease',
      text: statements.extend,
      values: (batch) => [batch.map((item) => item.leaseUntil)],
      written: (_item, row) => ({ ok: true, record: rowRecord(context, 'extendLease', row) }),
    },
  };
}
