/**
 * DynamoDB Local tables for integration tests: uniquely named, so files run in parallel
 * against one server, and dropped when the suite ends.
 *
 * @example
 * import { useStoreTable } from '@oncely/test-support/tables';
 *
 * describeWithServers('my adapter on DynamoDB Local', () => {
 *   const table = useStoreTable('my-adapter');
 *   it('runs once', async () => {
 *     const deduper = createDeduper({ store: table.store, namespace: table.namespace() });
 *   });
 * });
 */
import { randomUUID } from 'node:crypto';
import { DeleteTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type CreateTableOptions, createTable, DynamoDBStore } from '@oncely/dynamodb';
import { afterAll, beforeAll } from 'vitest';
import { dynamoClient } from './servers.js';

/** The table's layout: anything {@link createTable} takes but its name. */
export type TableShape = Omit<CreateTableOptions, 'tableName'>;

/**
 * Creates a table named `oncely-<purpose>-<random>` on `client`. Returns the name and a
 * function that drops the table.
 *
 * @example
 * const table = await freshTable(client, 'conformance');
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
  /** Made on first use: read it in the suite body only to instrument it before the tests. */
  readonly client: DynamoDBClient;
  readonly tableName: string;
  readonly store: DynamoDBStore;
  /** A namespace no other test uses, so tests sharing the table never see each other's records. */
  namespace(prefix?: string): string;
}

/**
 * Registers `beforeAll`/`afterAll` hooks in the calling `describe` that create a fresh
 * table with a store on it, and drop the table and destroy the client afterwards.
 *
 * @example
 * const table = useStoreTable('transactional');
 */
export function useStoreTable(purpose: string, options: TableShape = {}): StoreTable {
  let client: DynamoDBClient | undefined;
  // Lazily, so a suite skipped for want of servers never asks for an endpoint.
  const clientOf = () => {
    client ??= dynamoClient();
    return client;
  };
  let table: { tableName: string; store: DynamoDBStore; drop: () => Promise<void> } | undefined;
  const ready = () => {
    if (!table) throw new Error('the table is created in beforeAll: use it inside a test');
    return table;
  };
  beforeAll(async () => {
    const made = clientOf();
    const { tableName, drop } = await freshTable(made, purpose, options);
    const { attributes, sortKey } = options;
    table = {
      tableName,
      drop,
      store: new DynamoDBStore({ client: made, tableName, attributes, sortKey }),
    };
  });
  afterAll(async () => {
    await table?.drop();
    client?.destroy();
  });
  return {
    get client() {
      return clientOf();
    },
    get tableName() {
      return ready().tableName;
    },
    get store() {
      return ready().store;
    },
    namespace: (prefix = 'ns') => `${prefix}-${randomUUID().slice(0, 8)}`,
  };
}
