import { randomUUID } from 'node:crypto';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { createTable, DynamoDBStore } from '@oncely/dynamodb';
import { afterAll, beforeAll } from 'vitest';
import { dynamoClient } from '../support/servers.js';

/**
 * Registers hooks in the calling `describe` that create a uniquely named table on
 * DynamoDB Local (so files run in parallel) and drop it afterwards. `store()` is
 * usable once `beforeAll` ran, e.g. from a suite's own `beforeAll`.
 */
export function useWebhookTable(purpose: string): { store: () => DynamoDBStore } {
  const client = dynamoClient();
  const tableName = `oncely-${purpose}-${randomUUID().slice(0, 8)}`;
  let store: DynamoDBStore | undefined;
  beforeAll(async () => {
    await createTable(client, { tableName });
    store = new DynamoDBStore({ client, tableName });
  });
  afterAll(async () => {
    if (store) await client.send(new DeleteTableCommand({ TableName: tableName }));
    client.destroy();
  });
  return {
    store: () => {
      if (!store) throw new Error('the table is created in beforeAll: use it inside a test');
      return store;
    },
  };
}
