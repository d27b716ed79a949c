import {
  CreateTableCommand,
  type DynamoDBClient,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { createTable } from '@oncely/dynamodb';
import type { Kafka } from 'kafkajs';
import type { ExampleSettings } from './config.js';

/**
 * Creates what the example needs, for local runs: oncely's table, the balances
 * table, and the topics (3 partitions, so a group of members shares them). Against
 * AWS, create the tables with infrastructure as code instead.
 */
export async function setUp(
  kafka: Kafka,
  dynamo: DynamoDBClient,
  settings: Pick<ExampleSettings, 'tableName' | 'balancesTable' | 'topic' | 'deadLetterTopic'>,
): Promise<void> {
  await createTable(dynamo, { tableName: settings.tableName });
  try {
    await dynamo.send(
      new CreateTableCommand({
        TableName: settings.balancesTable,
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      }),
    );
  } catch (error) {
    if ((error as { name?: string }).name !== 'ResourceInUseException') throw error;
  }
  await waitUntilTableExists(
    { client: dynamo, maxWaitTime: 60 },
    { TableName: settings.balancesTable },
  );
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({
      topics: [
        { topic: settings.topic, numPartitions: 3 },
        { topic: settings.deadLetterTopic, numPartitions: 1 },
      ],
      waitForLeaders: true,
    });
  } finally {
    await admin.disconnect();
  }
}
