import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type DedupRecord, type OncelyError, StoreError, type StoreOperation } from '@oncely/core';
import { ItemTooLargeError } from './errors.js';
import type { Expressions } from './expressions.js';
import { dynamoStoreError } from './faults.js';
import { DYNAMODB_LIMITS, itemSize } from './item-size.js';
import type { Item, RecordItemCodec } from './record-item.js';

/** What every operation of the store needs about its table. Internal. */
export interface TableContext {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  readonly storeName: string;
  readonly codec: RecordItemCodec;
  readonly expressions: Expressions;
}

/** A conditional write's outcome: done, or refused with the item that blocked it. */
export type Attempt<T> =
  | { readonly ok: true; readonly output: T }
  | { readonly ok: false; readonly old: Item | undefined };

/**
 * Runs one conditional write. A failed condition is an outcome (with the old item,
 * from `ReturnValuesOnConditionCheckFailure: ALL_OLD`); anything else is a fault and
 * throws a {@link StoreError}.
 */
export async function attempt<T>(
  table: TableContext,
  operation: StoreOperation,
  storeKey: string,
  write: () => Promise<T>,
): Promise<Attempt<T>> {
  try {
    return { ok: true, output: await write() };
  } catch (error) {
    if ((error as { name?: unknown } | null)?.name === 'ConditionalCheckFailedException') {
      return { ok: false, old: (error as { Item?: Item }).Item };
    }
    throw fault(table, operation, storeKey, error);
  }
}

/** The typed error for a failure of `operation` on `storeKey`. */
export function fault(
  table: TableContext,
  operation: StoreOperation,
  storeKey: string,
  error: unknown,
): OncelyError {
  return dynamoStoreError(error, {
    operation,
    storeKey,
    tableName: table.tableName,
    storeName: table.storeName,
  });
}

/**
 * Reads the record a failed condition returned. DynamoDB always returns it when the
 * item exists; an endpoint that does not (an old emulator without
 * `ReturnValuesOnConditionCheckFailure`) is refused rather than answered with an
 * extra read on the hot path.
 */
export function blockingRecord(
  table: TableContext,
  operation: StoreOperation,
  storeKey: string,
  old: Item | undefined,
): DedupRecord {
  if (old === undefined) {
    throw new StoreError(
      `Store "${table.storeName}" could not ${operation} key "${storeKey}": the condition failed but DynamoDB returned no item; the endpoint must support ReturnValuesOnConditionCheckFailure`,
      operation,
      false,
      { storeKey },
    );
  }
  return readRecord(table, operation, storeKey, old);
}

/** Reads a record from an item, turning a malformed item into a non-retryable store error. */
export function readRecord(
  table: TableContext,
  operation: StoreOperation,
  storeKey: string,
  item: Item,
): DedupRecord {
  try {
    return table.codec.fromItem(item);
  } catch (error) {
    throw fault(table, operation, storeKey, error);
  }
}

/**
 * Refuses, before the call, an item over DynamoDB's 400 KB limit: the request would
 * fail anyway, and the typed error says by how much.
 */
export function assertItemFits(storeKey: string, item: Item, reservedBytes = 0): void {
  const size = itemSize(item) + reservedBytes;
  if (size <= DYNAMODB_LIMITS.itemBytes) return;
  throw new ItemTooLargeError(
    `The record of key "${storeKey}" with its result would be ${size} bytes, over DynamoDB's item limit of ${DYNAMODB_LIMITS.itemBytes} bytes (400 KB): lower the deduper's maxResultBytes or return a smaller result`,
    size,
    DYNAMODB_LIMITS.itemBytes,
    { storeKey },
  );
}
