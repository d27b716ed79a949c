import {
  CreateTableCommand,
  type DynamoDBClient,
  ResourceInUseException,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { createTable } from '@oncely/dynamodb';
import type { WorkerSettings } from './config.js';

/**
 * For local servers only: makes the queue (with a dead-letter queue) and both tables if
 * they are missing. In AWS they come from infrastructure as code.
 */
export async function setUpLocal(
  settings: WorkerSettings,
  sqs: SQSClient,
  dynamo: DynamoDBClient,
): Promise<string> {
  await createTable(dynamo, { tableName: settings.dedupTable });
  await createShipmentsTable(dynamo, settings.shipmentsTable);
  const deadLetter = await ensureQueue(sqs, `${settings.queueName}-dlq`, {});
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: deadLetter, AttributeNames: ['QueueArn'] }),
  );
  return ensureQueue(sqs, settings.queueName, {
    VisibilityTimeout: String(settings.visibilityTimeout),
    RedrivePolicy: JSON.stringify({
      deadLetterTargetArn: Attributes?.QueueArn,
      maxReceiveCount: '5',
    }),
  });
}

/** The URL of `name`, made with `attributes` when it does not exist. */
async function ensureQueue(
  sqs: SQSClient,
  name: string,
  attributes: Record<string, string>,
): Promise<string> {
  try {
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: name }));
    if (QueueUrl) return QueueUrl;
  } catch (error) {
    if ((error as { name?: string }).name !== 'QueueDoesNotExist') throw error;
  }
  const { QueueUrl } = await sqs.send(
    new CreateQueueCommand({ QueueName: name, Attributes: attributes }),
  );
  if (!QueueUrl) throw new Error(`CreateQueue ${name} returned no URL`);
  return QueueUrl;
}

async function createShipmentsTable(dynamo: DynamoDBClient, tableName: string): Promise<void> {
  try {
    await dynamo.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'shipmentId', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'shipmentId', KeyType: 'HASH' }],
      }),
    );
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  await waitUntilTableExists({ client: dynamo, maxWaitTime: 60 }, { TableName: tableName });
}
