import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStore } from '@oncely/dynamodb';

/** The function's settings, from its environment (the SAM template sets them). */
export interface PaymentsSettings {
  /** The oncely table (key `pk`, TTL on `expiresAt`). */
  readonly dedupTable: string;
  /** The table the payments are credited to. */
  readonly balancesTable: string;
  /** DynamoDB Local for development and tests; unset in AWS. */
  readonly dynamodbEndpoint: string | undefined;
}

/** Reads `DEDUP_TABLE`, `BALANCES_TABLE` and `DYNAMODB_ENDPOINT`. */
export function settingsFromEnv(env: NodeJS.ProcessEnv = process.env): PaymentsSettings {
  return {
    dedupTable: env.DEDUP_TABLE ?? 'oncely-dedup',
    balancesTable: env.BALANCES_TABLE ?? 'balances',
    dynamodbEndpoint: env.DYNAMODB_ENDPOINT || undefined,
  };
}

/** A DynamoDB client: DynamoDB Local when an endpoint is given, else AWS from the environment. */
export function dynamoClientFor(settings: PaymentsSettings): DynamoDBClient {
  if (!settings.dynamodbEndpoint) return new DynamoDBClient({});
  return new DynamoDBClient({
    endpoint: settings.dynamodbEndpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
}

/**
 * Made once per Lambda container, at init, and reused by every invocation: one client,
 * one store.
 */
export const settings = settingsFromEnv();
export const dynamo = dynamoClientFor(settings);
export const store = new DynamoDBStore({ client: dynamo, tableName: settings.dedupTable });
