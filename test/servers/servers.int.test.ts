import { randomUUID } from 'node:crypto';
import {
  CreateTableCommand,
  DeleteTableCommand,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import {
  CreateQueueCommand,
  DeleteQueueCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import {
  describeWithServers,
  dynamoClient,
  kafkaClient,
  sqsClient,
} from '@oncely/test-support/servers';
import { type KafkaMessage, Partitioners } from 'kafkajs';
import { expect, it } from 'vitest';

// Smoke test of the launcher: each server the global setup started really works end to end.
describeWithServers('test servers', () => {
  const id = randomUUID().slice(0, 8);

  it('DynamoDB Local stores and returns an item', async () => {
    const dynamo = dynamoClient();
    const TableName = `smoke-${id}`;
    try {
      await dynamo.send(
        new CreateTableCommand({
          TableName,
          AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
      const Key = { pk: { S: 'key-1' } };
      await dynamo.send(new PutItemCommand({ TableName, Item: { ...Key, n: { N: '42' } } }));
      const got = await dynamo.send(new GetItemCommand({ TableName, Key, ConsistentRead: true }));
      expect(got.Item).toEqual({ pk: { S: 'key-1' }, n: { N: '42' } });
    } finally {
      await dynamo.send(new DeleteTableCommand({ TableName })).catch(() => undefined);
      dynamo.destroy();
    }
  });

  it('ElasticMQ sends and receives a message', async () => {
    const sqs = sqsClient();
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `smoke-${id}` }));
    try {
      await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'hello' }));
      const received = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 5, MaxNumberOfMessages: 1 }),
      );
      expect(received.Messages?.map((m) => m.Body)).toEqual(['hello']);
    } finally {
      await sqs.send(new DeleteQueueCommand({ QueueUrl })).catch(() => undefined);
      sqs.destroy();
    }
  });

  it('Kafka produces and consumes one message', async () => {
    // Clients are made inside the test: a skipped suite still runs its describe body.
    const kafka = kafkaClient();
    const topic = `smoke-${id}`;
    const admin = kafka.admin();
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    const consumer = kafka.consumer({ groupId: `smoke-${id}`, maxWaitTimeInMs: 100 });
    try {
      await admin.connect();
      await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
      await producer.connect();
      await producer.send({ topic, messages: [{ key: 'k', value: 'hello kafka' }] });

      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      const message = await new Promise<KafkaMessage>((resolve, reject) => {
        consumer.run({ eachMessage: async (payload) => resolve(payload.message) }).catch(reject);
      });
      expect(message.key?.toString()).toBe('k');
      expect(message.value?.toString()).toBe('hello kafka');
    } finally {
      await Promise.allSettled([consumer.disconnect(), producer.disconnect()]);
      await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
      await admin.disconnect();
    }
  });
});
