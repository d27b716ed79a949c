import { describeStoreConformance } from '@oncely/core/testing';
import { describeWithServers, dynamoClient } from '@oncely/test-support/servers';
import { freshTable } from '@oncely/test-support/tables';
import { DynamoDBStore, type DynamoDBStoreOptions } from '../src/index.js';

const SINGLE_TABLE: Pick<DynamoDBStoreOptions, 'attributes' | 'sortKey'> = {
  attributes: {
    key: 'PK',
    status: 'recordStatus',
    leaseUntil: 'leaseEndsAtMs',
    expiresAt: 'ttl',
    token: 'owner',
    fingerprint: 'payloadHash',
    result: 'response',
  },
  sortKey: { name: 'SK', value: 'ONCELY#DEDUP' },
};

describeWithServers('DynamoDBStore on DynamoDB Local', () => {
  describeStoreConformance(
    'DynamoDBStore (default attributes)',
    async () => {
      const client = dynamoClient();
      const table = await freshTable(client, 'conformance');
      return {
        store: new DynamoDBStore({ client, tableName: table.tableName }),
        teardown: async () => {
          await table.drop();
          client.destroy();
        },
      };
    },
    { batch: true, transactional: true },
  );

  describeStoreConformance(
    'DynamoDBStore (custom attribute names and a sort key)',
    async () => {
      const client = dynamoClient();
      const table = await freshTable(client, 'conformance-single', SINGLE_TABLE);
      return {
        store: new DynamoDBStore({ client, tableName: table.tableName, ...SINGLE_TABLE }),
        teardown: async () => {
          await table.drop();
          client.destroy();
        },
      };
    },
    { batch: true, transactional: true },
  );
});
