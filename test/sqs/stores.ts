/**
 * A DynamoDB Local table for the SQS integration tests: one per file, with a fresh
 * namespace per test so tests never see each other's records.
 */
import { randomUUID } from 'node:crypto';
import { DeleteTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createTable, DynamoDBStore } from '@oncely/dynamodb';
import { dynamoClient } from '../support/servers.js';

export interface TestTable {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  readonly store: DynamoDBStore;
  /** A namespace no other test uses. */
  namespace(prefix?: string): string;
  drop(): Promise<void>;
}

/** Creates a uniquely named table on DynamoDB Local and a store on it. */
export async function createTestTable(prefix = 'oncely-sqs'): Promise<TestTable> {
  const client = dynamoClient();
  const tableName = `${prefix}-${randomUUID().slice(0, 8)}`;
  await createTable(client, { tableName });
  return {
    client,
    tableName,
    store: new DynamoDBStore({ client, tableName }),
    namespace: (name = 'ns') => `${name}-${randomUUID().slice(0, 8)}`,
    async drop() {
      await client.send(new DeleteTableCommand({ TableName: tableName }));
      client.destroy();
    },
  };
}
