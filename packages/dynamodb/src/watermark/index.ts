/**
 * `@oncely/dynamodb/watermark`: the DynamoDB watermark store, for watermark mode of
 * `@oncely/kafka` (`createWatermarkBatchHandler`). It implements core's `WatermarkStore`
 * contract, so this package does not depend on the Kafka adapter; a separate entry
 * keeps it out of the main one for those who only need `DynamoDBStore`.
 *
 * @example
 * import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
 * import { DynamoDBWatermarkStore } from '@oncely/dynamodb/watermark';
 *
 * const watermarks = new DynamoDBWatermarkStore({ client: new DynamoDBClient({}), tableName: 'oncely' });
 */
export {
  DYNAMODB_WATERMARK_DEFAULTS,
  DynamoDBWatermarkStore,
  type DynamoDBWatermarkStoreOptions,
} from './watermark-store.js';
