import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  type CancellationReason,
  type TransactWriteItem,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { type CommitOptions, type CommitOutcome, committedRecord } from '@oncely/core';
import { classifyTaken } from './classify.js';
import { TransactionCancelledError } from './errors.js';
import { claimValues } from './expressions.js';
import { assertItemFits, blockingRecord, fault, type TableContext } from './table.js';
import { assertTransactionLimits, toTransactItems } from './transact-items.js';

/** Cancellation codes that mean "nothing was written, the same request may succeed later". */
const TRANSIENT_CODES = new Set([
  'TransactionConflict',
  'ProvisionedThroughputExceeded',
  'ThrottlingError',
]);
/**
 * A conflict means another transaction touched one of the items at the same moment
 * (often a concurrent delivery of the same key). Trying again soon settles it: the
 * other commit has landed, and ours then reads as a duplicate, or goes through.
 */
const CONFLICT_RETRIES = 3;
const CONFLICT_BACKOFF_MS = 25;

/**
 * Commits the COMPLETED record (item 0, under the claim's condition) and the
 * handler's effects in one `TransactWriteItems`. Internal: see `DynamoDBStore.commit`.
 */
export async function commitTransaction(
  table: TableContext,
  key: string,
  options: CommitOptions,
): Promise<CommitOutcome> {
  const { now } = options;
  const record = committedRecord(key, options);
  const item = table.codec.toItem(record);
  assertItemFits(key, item);
  const { condition, names } = table.expressions.claim;
  const recordPut: TransactWriteItem = {
    Put: {
      TableName: table.tableName,
      Item: item,
      ConditionExpression: condition,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: claimValues(now),
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    },
  };
  const items = [recordPut, ...toTransactItems(options.effects, key)];
  assertTransactionLimits(items, key);
  for (let retry = 0; ; retry++) {
    const cancellation = await send(table, key, items);
    if (cancellation === undefined) return { kind: 'committed', record };
    const { reasons } = cancellation;
    const first = reasons[0];
    if (first?.Code === 'ConditionalCheckFailed') {
      return classifyTaken(blockingRecord(table, 'commit', key, first.Item), now);
    }
    const conflict = reasons.every((r) => r.Code === 'None' || r.Code === 'TransactionConflict');
    if (!conflict || retry >= CONFLICT_RETRIES) throw cancelled(table, key, cancellation);
    await sleep(CONFLICT_BACKOFF_MS * 2 ** retry * (0.5 + Math.random()));
  }
}

/** Why DynamoDB cancelled a transaction: the reasons, index for index with the items. */
interface Cancellation {
  readonly reasons: CancellationReason[];
  readonly cause: unknown;
}

/** Sends the transaction; `undefined` when it committed, else why it was cancelled. */
async function send(
  table: TableContext,
  key: string,
  items: TransactWriteItem[],
): Promise<Cancellation | undefined> {
  try {
    await table.client.send(
      new TransactWriteItemsCommand({
        TransactItems: items,
        // The SDK resends this same token on its own retries, so a commit whose answer
        // was lost cannot apply twice. Each of our conflict retries is a new request.
        ClientRequestToken: randomUUID(),
      }),
    );
    return undefined;
  } catch (error) {
    if ((error as { name?: unknown } | null)?.name !== 'TransactionCanceledException') {
      throw fault(table, 'commit', key, error);
    }
    const reasons = (error as { CancellationReasons?: CancellationReason[] }).CancellationReasons;
    return { reasons: reasons ?? [], cause: error };
  }
}

function cancelled(
  table: TableContext,
  key: string,
  { reasons, cause }: Cancellation,
): TransactionCancelledError {
  const failed = reasons
    .map((reason, index) => ({ ...reason, index }))
    .filter((reason) => reason.Code !== 'None');
  const described = failed
    .map(
      ({ index, Code, Message }) =>
        `${index === 0 ? 'the record' : `effect #${index - 1}`}: ${Code}${Message ? ` (${Message})` : ''}`,
    )
    .join('; ');
  const retryable = failed.length > 0 && failed.every((r) => TRANSIENT_CODES.has(r.Code ?? ''));
  return new TransactionCancelledError(
    `Store "${table.storeName}" could not commit key "${key}": DynamoDB cancelled the transaction (${described || 'no reasons given'}); nothing was written`,
    reasons,
    retryable,
    { storeKey: key, cause },
  );
}
