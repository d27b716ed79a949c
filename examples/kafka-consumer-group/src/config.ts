import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Kafka, logLevel } from 'kafkajs';

/** The example's settings, from the environment, with local defaults. */
export interface ExampleSettings {
  readonly brokers: readonly string[];
  readonly dynamodbEndpoint: string | undefined;
  /** oncely's dedup table. */
  readonly tableName: string;
  /** Where the consumer keeps account balances and applied payments. */
  readonly balancesTable: string;
  readonly topic: string;
  readonly deadLetterTopic: string;
  readonly groupId: string;
  /** How many members `npm start` runs in the group (in one process, to show a group). */
  readonly members: number;
  /** How often `npm start` prints the balances, in ms. */
  readonly reportEveryMs: number;
}

/**
 * Reads `KAFKA_BROKERS`, `DYNAMODB_ENDPOINT`, `ONCELY_TABLE`, `BALANCES_TABLE`,
 * `PAYMENTS_TOPIC`, `DEAD_LETTER_TOPIC`, `GROUP_ID`, `MEMBERS` and `REPORT_EVERY_MS`.
 */
export function settingsFromEnv(env: NodeJS.ProcessEnv = process.env): ExampleSettings {
  const topic = env.PAYMENTS_TOPIC ?? 'payments';
  return {
    brokers: (env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',').map((b) => b.trim()),
    dynamodbEndpoint: env.DYNAMODB_ENDPOINT || undefined,
    tableName: env.ONCELY_TABLE ?? 'oncely-payments',
    balancesTable: env.BALANCES_TABLE ?? 'example-balances',
    topic,
    deadLetterTopic: env.DEAD_LETTER_TOPIC ?? `${topic}.dead-letter`,
    groupId: env.GROUP_ID ?? 'balance-updater',
    members: Number(env.MEMBERS ?? 2),
    reportEveryMs: Number(env.REPORT_EVERY_MS ?? 5_000),
  };
}

/** A kafkajs client for the brokers, logging warnings and errors only. */
export function kafkaFor(settings: Pick<ExampleSettings, 'brokers'>): Kafka {
  return new Kafka({
    clientId: 'oncely-example',
    brokers: [...settings.brokers],
    logLevel: logLevel.WARN,
  });
}

/** A DynamoDB client: DynamoDB Local when an endpoint is given, else AWS from the environment. */
export function dynamoFor(settings: Pick<ExampleSettings, 'dynamodbEndpoint'>): DynamoDBClient {
  if (!settings.dynamodbEndpoint) return new DynamoDBClient({});
  return new DynamoDBClient({
    endpoint: settings.dynamodbEndpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
}
