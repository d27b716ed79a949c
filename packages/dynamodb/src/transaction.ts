import type {
  ConditionCheck,
  Delete,
  Put,
  TransactWriteItem,
  Update,
} from '@aws-sdk/client-dynamodb';
import type { RunContext } from '@oncely/core';

/**
 * The handler's side of transactional mode: DynamoDB writes that commit in the same
 * `TransactWriteItems` as the COMPLETED record, so they land exactly once with it,
 * or not at all. Each method returns the transaction, so calls chain.
 *
 * @example
 * dynamoTransaction(ctx).delete({ TableName: 'holds', Key: { pk: { S: holdId } } });
 */
export interface DynamoTransaction {
  /** Adds a `Put` (a whole item, optionally conditional). */
  put(put: Put): DynamoTransaction;
  /** Adds an `Update` (e.g. `ADD #balance :amount`). */
  update(update: Update): DynamoTransaction;
  /** Adds a `Delete`. */
  delete(del: Delete): DynamoTransaction;
  /** Adds a `ConditionCheck`: the commit fails, writing nothing, unless it holds. */
  conditionCheck(check: ConditionCheck): DynamoTransaction;
  /** Adds a `TransactWriteItem` as it is. */
  add(item: TransactWriteItem): DynamoTransaction;
}

/**
 * Wraps a run's context (with `transactional: true`) in typed DynamoDB writes, so a
 * handler need not build `TransactWriteItem`s or cast. The writes go through
 * `context.addEffect`; outside transactional mode that throws.
 *
 * @example
 * const deduper = createDeduper({ store, namespace: 'ledger', transactional: true });
 * await deduper.run(event.id, (ctx) => {
 *   dynamoTransaction(ctx)
 *     .put({ TableName: 'ledger', Item: { pk: { S: event.id }, amount: { N: '42' } } })
 *     .update({
 *       TableName: 'accounts',
 *       Key: { pk: { S: event.account } },
 *       UpdateExpression: 'ADD #balance :amount',
 *       ExpressionAttributeNames: { '#balance': 'balance' },
 *       ExpressionAttributeValues: { ':amount': { N: '42' } },
 *     });
 * });
 */
export function dynamoTransaction(context: Pick<RunContext, 'addEffect'>): DynamoTransaction {
  const transaction: DynamoTransaction = {
    put: (put) => transaction.add({ Put: put }),
    update: (update) => transaction.add({ Update: update }),
    delete: (del) => transaction.add({ Delete: del }),
    conditionCheck: (check) => transaction.add({ ConditionCheck: check }),
    add(item) {
      context.addEffect(item);
      return transaction;
    },
  };
  return transaction;
}
