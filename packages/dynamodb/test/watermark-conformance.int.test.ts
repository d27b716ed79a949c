import { randomUUID } from 'node:crypto';
import { type DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { describeWatermarkStoreConformance } from '@oncely/core/testing';
import { describeWithServers, dynamoClient } from '@oncely/test-support/servers';
import { freshTable, type TableShape } from '@oncely/test-support/tables';
import { expect, it } from 'vitest';
import { TableNotFoundError } from '../src/index.js';
import { DYNAMODB_WATERMARK_DEFAULTS, DynamoDBWatermarkStore } from '../src/watermark/index.js';

// A single-table design's layout: its own key names and a static sort key.
const SINGLE_TABLE = {
  attributes: { key: 'PK' },
  sortKey: { name: 'SK', value: 'ONCELY#WATERMARK' },
} as const satisfies TableShape;

/** A store on a fresh table, and one on a table that does not exist for the failure tests. */
function suite(
  name: string,
  shape: TableShape,
  storeOptions: { keyAttribute?: string; sortKey?: { name: string; value: string } },
): void {
  let client: DynamoDBClient;
  let tableName: string;
  describeWatermarkStoreConformance(
    name,
    async () => {
      client = dynamoClient();
      const table = await freshTable(client, 'watermarks', shape);
      tableName = table.tableName;
      return {
        store: new DynamoDBWatermarkStore({ client, tableName, ...storeOptions }),
        teardown: async () => {
          await table.drop();
          client.destroy();
        },
      };
    },
    {
      unavailable: () =>
        new DynamoDBWatermarkStore({
          client,
          tableName: `oncely-missing-${randomUUID().slice(0, 8)}`,
          ...storeOptions,
        }),
      extraTests: (store) => {
        it('answers a missing table with the dedup store’s TableNotFoundError', async () => {
          const missing = new DynamoDBWatermarkStore({ client, tableName: 'no-such-table-here' });
          const error = await missing.read('k').catch((caught: unknown) => caught);
          expect(error).toBeInstanceOf(TableNotFoundError);
          expect(error).toMatchObject({
            operation: 'get',
            retryable: false,
            tableName: 'no-such-table-here',
          });
        });

        it('writes no expiresAt, so the table’s TTL never removes a watermark', async () => {
          const key = `kafka:ttl#orders.${randomUUID()}/0`;
          await store().advance(key, { offset: '7', owner: 'o', now: 1 });
          const { Item } = await client.send(
            new GetItemCommand({
              TableName: tableName,
              ConsistentRead: true,
              Key: {
                [storeOptions.keyAttribute ?? DYNAMODB_WATERMARK_DEFAULTS.keyAttribute]: { S: key },
                ...(storeOptions.sortKey
                  ? { [storeOptions.sortKey.name]: { S: storeOptions.sortKey.value } }
                  : {}),
              },
            }),
          );
          expect(Object.keys(Item ?? {}).sort()).toEqual(
            [
              storeOptions.keyAttribute ?? 'pk',
              ...(storeOptions.sortKey ? [storeOptions.sortKey.name] : []),
              ...Object.values(DYNAMODB_WATERMARK_DEFAULTS.attributes),
            ].sort(),
          );
        });
      },
    },
  );
}

describeWithServers('DynamoDBWatermarkStore on DynamoDB Local', () => {
  suite('DynamoDBWatermarkStore (default key)', {}, {});
  suite('DynamoDBWatermarkStore (custom key attribute and a sort key)', SINGLE_TABLE, {
    keyAttribute: 'PK',
    sortKey: SINGLE_TABLE.sortKey,
  });
});
