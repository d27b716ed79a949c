/**
 * The example's three handler forms, each driven from a real queue (ElasticMQ) by the
 * `@oncely/sqs/testing` event source, with DynamoDB Local for the records and balances.
 */
import { randomUUID } from 'node:crypto';
import {
  CreateTableCommand,
  DeleteTableCommand,
  GetItemCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { createTable } from '@oncely/dynamodb';
import {
  createSqsEventSource,
  type LambdaSqsHandler,
  queueDepth,
  receiveVisible,
  sendMessages,
  type TestQueue,
} from '@oncely/sqs/testing/sqs-server';
import { eventually } from '@oncely/test-support/eventually';
import { useQueues } from '@oncely/test-support/queues';
import { describeWithServers, dynamoClient, dynamodbEndpoint } from '@oncely/test-support/servers';
import { afterAll, beforeAll, expect, it } from 'vitest';

const FORMS = ['handler', 'middy-handler', 'powertools-handler'] as const;

describeWithServers('lambda-sqs example on ElasticMQ and DynamoDB Local', () => {
  const suffix = randomUUID().slice(0, 8);
  const dedupTable = `example-dedup-${suffix}`;
  const balancesTable = `example-balances-${suffix}`;
  const sqs = useQueues('payments');
  const dynamo = () => dynamoClient();
  const handlers = new Map<string, LambdaSqsHandler>();

  beforeAll(async () => {
    const client = dynamo();
    await createTable(client, { tableName: dedupTable });
    await client.send(
      new CreateTableCommand({
        TableName: balancesTable,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'customerId', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'customerId', KeyType: 'HASH' }],
      }),
    );
    await waitUntilTableExists({ client, maxWaitTime: 60 }, { TableName: balancesTable });
    client.destroy();
    // The function reads its settings at init, like a Lambda container.
    Object.assign(process.env, {
      DEDUP_TABLE: dedupTable,
      BALANCES_TABLE: balancesTable,
      DYNAMODB_ENDPOINT: dynamodbEndpoint(),
    });
    for (const form of FORMS) {
      const module = (await import(`../src/${form}.ts`)) as { handler: LambdaSqsHandler };
      handlers.set(form, module.handler);
    }
  });

  afterAll(async () => {
    const client = dynamo();
    for (const table of [dedupTable, balancesTable]) {
      await client.send(new DeleteTableCommand({ TableName: table })).catch(() => {});
    }
    client.destroy();
  });

  it.each(FORMS)('%s credits each payment once; malformed messages go to the DLQ', async (form) => {
    const queue = await sqs.queue({ visibilityTimeout: 1, maxReceiveCount: 2 });
    const customerId = `customer-${form}`;
    const payment = (paymentId: string, amountCents: number) => ({
      body: { paymentId, customerId, amountCents },
    });
    await sendMessages(sqs.client, queue, [
      payment('pay-1', 100),
      payment('pay-2', 250),
      payment('pay-1', 100), // the producer retried: a new message, the same payment
      payment('pay-3', 50),
      payment('pay-2', 250),
      payment('pay-1', 100),
      { body: '{"paymentId": "pay-4", "customerId": ' }, // truncated JSON
      { body: { customerId, amountCents: 999 } }, // no paymentId
    ]);
    const source = createSqsEventSource({
      client: sqs.client,
      queueUrl: queue.url,
      handler: handlers.get(form) as LambdaSqsHandler,
      failureVisibilityTimeout: 0,
      context: { functionName: `payments-${form}` },
    });
    const deadLetter = queue.deadLetter as TestQueue;
    await eventually('good payments deleted and both bad messages dead-lettered', async () => {
      await source.pollOnce();
      return (
        (await queueDepth(sqs.client, queue)) === 0 &&
        (await queueDepth(sqs.client, deadLetter)) === 2
      );
    });
    const deleted = source.invocations.flatMap((i) => i.succeeded);
    expect(deleted).toHaveLength(6);
    expect(await balanceOf(customerId)).toEqual({ balanceCents: 400, payments: 3 });
    const dead = await receiveVisible(sqs.client, deadLetter);
    expect(dead.map((m) => m.Body).sort()).toEqual(
      [
        '{"paymentId": "pay-4", "customerId": ',
        JSON.stringify({ customerId, amountCents: 999 }),
      ].sort(),
    );
  });

  async function balanceOf(
    customerId: string,
  ): Promise<{ balanceCents: number; payments: number }> {
    const client = dynamo();
    const { Item } = await client.send(
      new GetItemCommand({
        TableName: balancesTable,
        Key: { customerId: { S: customerId } },
        ConsistentRead: true,
      }),
    );
    client.destroy();
    return {
      balanceCents: Number(Item?.balanceCents?.N ?? 0),
      payments: Number(Item?.payments?.N ?? 0),
    };
  }
});
