import type { TransactWriteItem } from '@aws-sdk/client-dynamodb';
import { InvalidEffectError, TransactionLimitError } from './errors.js';
import { DYNAMODB_LIMITS, itemSize } from './item-size.js';

const ACTIONS = ['Put', 'Update', 'Delete', 'ConditionCheck'] as const;

/**
 * Checks that each effect is a `TransactWriteItem` (exactly one action, naming its
 * table), so a wrong value fails with its index instead of an opaque service error.
 */
export function toTransactItems(
  effects: readonly unknown[],
  storeKey: string,
): TransactWriteItem[] {
  return effects.map((effect, index) => {
    const invalid = (reason: string) =>
      new InvalidEffectError(
        `Effect #${index} of key "${storeKey}" is not a DynamoDB TransactWriteItem: ${reason}`,
        index,
        { storeKey },
      );
    if (effect === null || typeof effect !== 'object')
      throw invalid(`got ${effect === null ? 'null' : typeof effect}`);
    const present = ACTIONS.filter(
      (action) => (effect as Record<string, unknown>)[action] !== undefined,
    );
    if (present.length !== 1) {
      throw invalid(
        `expected exactly one of ${ACTIONS.join(', ')}, got ${present.length === 0 ? 'none' : present.join(', ')}`,
      );
    }
    const action = (effect as Record<string, { TableName?: unknown } | undefined>)[
      present[0] as string
    ];
    if (typeof action?.TableName !== 'string' || action.TableName.length === 0) {
      throw invalid(`${present[0]}.TableName must be a table name`);
    }
    return effect as TransactWriteItem;
  });
}

/**
 * The bytes an action adds to a transaction. DynamoDB counts the items written; for a
 * put that is its item, for the others the result is only known to the server, so
 * the request's key and values stand in for it (DynamoDB still enforces the real
 * total).
 */
function actionSize(item: TransactWriteItem): number {
  if (item.Put) return itemSize(item.Put.Item);
  const action = item.Update ?? item.Delete ?? item.ConditionCheck;
  return itemSize(action?.Key) + itemSize(action?.ExpressionAttributeValues);
}

/** Refuses, before the call, a transaction over 100 actions or 4 MB (the record included). */
export function assertTransactionLimits(
  items: readonly TransactWriteItem[],
  storeKey: string,
): void {
  if (items.length > DYNAMODB_LIMITS.transactionItems) {
    throw new TransactionLimitError(
      `Commit of key "${storeKey}" holds ${items.length} actions (the record and ${items.length - 1} effects), over DynamoDB's limit of ${DYNAMODB_LIMITS.transactionItems} per TransactWriteItems`,
      'items',
      items.length,
      DYNAMODB_LIMITS.transactionItems,
      { storeKey },
    );
  }
  const bytes = items.reduce((sum, item) => sum + actionSize(item), 0);
  if (bytes > DYNAMODB_LIMITS.transactionBytes) {
    throw new TransactionLimitError(
      `Commit of key "${storeKey}" holds ${bytes} bytes of items, over DynamoDB's limit of ${DYNAMODB_LIMITS.transactionBytes} bytes (4 MB) per TransactWriteItems`,
      'bytes',
      bytes,
      DYNAMODB_LIMITS.transactionBytes,
      { storeKey },
    );
  }
}
