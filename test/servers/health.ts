import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { Kafka, logLevel } from 'kafkajs';

/** Local servers accept any credentials; the SDK only needs some to sign requests. */
export const LOCAL_AWS = {
  region: 'us-east-1',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
} as const;

// One attempt with short timeouts per probe: the launcher's loop does the retrying.
const probeClientOptions = {
  ...LOCAL_AWS,
  maxAttempts: 1,
  requestHandler: { connectionTimeout: 1_000, requestTimeout: 2_000 },
};

/** Resolves when DynamoDB at `endpoint` answers ListTables. */
export async function dynamodbAnswers(endpoint: string): Promise<void> {
  const client = new DynamoDBClient({ ...probeClientOptions, endpoint });
  try {
    await client.send(new ListTablesCommand({ Limit: 1 }));
  } finally {
    client.destroy();
  }
}

/** Resolves when SQS at `endpoint` answers ListQueues. */
export async function sqsAnswers(endpoint: string): Promise<void> {
  const client = new SQSClient({ ...probeClientOptions, endpoint });
  try {
    await client.send(new ListQueuesCommand({}));
  } finally {
    client.destroy();
  }
}

/** Resolves when a Kafka broker at `brokers` accepts an admin connection and lists topics. */
export async function kafkaAnswers(brokers: string[]): Promise<void> {
  const kafka = new Kafka({
    clientId: 'oncely-health-check',
    brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1_000,
    requestTimeout: 2_000,
    retry: { retries: 0 },
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    await admin.listTopics();
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
