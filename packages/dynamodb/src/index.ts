/**
 * `@oncely/dynamodb`: the DynamoDB store for oncely. Conditional writes claim keys
 * (one request for a duplicate, two for a new message), owner tokens fence every
 * later write, and transactional mode commits the record with the handler's own
 * DynamoDB writes in one `TransactWriteItems`.
 *
 * @example
 * import { createDeduper } from '@oncely/core';
 * import { DynamoDBStore } from '@oncely/dynamodb';
 *
 * const store = new DynamoDBStore({ tableName: 'oncely', clientConfig: {} });
 * const deduper = createDeduper({ store, namespace: 'payments', ttl: '7d' });
 * await deduper.run(event.id, () => chargeCard(event));
 */

export {
  DYNAMODB_BATCH_DEFAULTS,
  type DynamoDBBatchOptions,
} from './batch-options.js';
export {
  CREATE_TABLE_DEFAULTS,
  type CreateTableOptions,
  type CreateTableResult,
  createTable,
} from './create-table.js';
export {
  InvalidEffectError,
  ItemTooLargeError,
  TableNotFoundError,
  TransactionCancelledError,
  type TransactionLimit,
  TransactionLimitError,
} from './errors.js';
export { isRetryableFault } from './faults.js';
export { attributeValueSize, DYNAMODB_LIMITS, itemSize } from './item-size.js';
export {
  type AttributeNames,
  DYNAMODB_STORE_DEFAULTS,
  type DynamoDBStoreClientOptions,
  type DynamoDBStoreOptions,
  type DynamoDBStoreTableOptions,
  type SortKey,
} from './options.js';
export { DynamoDBStore } from './store.js';
export { type DynamoTransaction, dynamoTransaction } from './transaction.js';
