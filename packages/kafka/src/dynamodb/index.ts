/**
 * `@oncely/kafka/dynamodb`: the DynamoDB watermark store, kept in its own entry so
 * `@aws-sdk/client-dynamodb` stays an optional peer of `@oncely/kafka`.
 */
export {
  DYNAMODB_WATERMARK_DEFAULTS,
  DynamoDBWatermarkStore,
  type DynamoDBWatermarkStoreOptions,
} from './watermark-store.js';
