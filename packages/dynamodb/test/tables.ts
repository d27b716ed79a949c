import { randomUUID } from 'node:crypto';
import { DeleteTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll } from 'vitest';
import { dynamoClient } from '../../../test/support/servers.js';
import { type CreateTableOptions, createTable, DynamoDBStore } from '../src/index.js';

type TableShape = Omit<CreateTableOptions, 'tableName'>;

/**
 * A uniquely named table per test file, so files can run in parallel against one
 * DynamoDB Local. Returns the name and a function that drops the table.
 */
export async function freshTable(
  client: DynamoDBClient,
  purpose: string,
  options: TableShape = {},
): Promise<{ tableName: string; drop: () => Promise<void> }> {
  const tableName = `oncely-${purpose}-${randomUUID().slice(0, 8)}`;
  await createTable(client, { ...options, tableName });
  return {
    tableName,
    drop: async () => {
      await client.send(new DeleteTableCommand({ TableName: tableName }));
    },
  };
}

/** A client, a fresh table and a store on it; the table and store exist once `beforeAll` ran. */
export interface StoreTable {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  readonly store: DynamoDBStore;
}

/**
 * Registers `beforeAll`/`afterAll` hooks in the calling `describe` that create a fresh
 * table with a store on it, and drop the table and the client afterwards.
 */
export function useStoreTable(purpose: string, options: TableShape = {}): StoreTable {
  const client = dynamoClient();
  let table: { tableName: string; store: DynamoDBStore; drop: () => Promise<void> } | undefined;
  const ready = () => {
    if (!table) throw new Error('the table is created in beforeAll: use it inside a test');
    return table;
  };
  beforeAll(async () => {
    const { tableName, drop } = await freshTable(client, purpose, options);
    const { attributes, sortKey } = options;
    table = {
      tableName,
      drop,
      store: new DynamoDBStore({ client, tableName, attributes, sortKey }),
    };
  });
  afterAll(async () => {
    await table?.drop();
    client.destroy();
  });
  return {
    client,
    get tableName() {
      return ready().tableName;
    },
    get store() {
      return ready().store;
    },
  };
}
