import { randomUUID } from 'node:crypto';
import { createDeduper, StoreError } from '@oncely/core';
import { describeDeduperFlows } from '@oncely/test-support/deduper-flows';
import { describeWithServers, dynamoClient } from '@oncely/test-support/servers';
import { useStoreTable } from '@oncely/test-support/tables';
import { afterAll, describe, expect, it } from 'vitest';
import { DynamoDBStore, TableNotFoundError } from '../src/index.js';

describeWithServers('DynamoDBStore with the deduper', () => {
  const table = useStoreTable('deduper');
  describeDeduperFlows('DynamoDBStore', () => table.store);
});

describeWithServers('DynamoDBStore against a missing table', () => {
  const client = dynamoClient();
  afterAll(() => client.destroy());

  describe.each([false, true])('transactional: %s', (transactional) => {
    it('fails with a non-retryable error naming the table and how to create it', async () => {
      const tableName = `oncely-missing-${randomUUID().slice(0, 8)}`;
      const store = new DynamoDBStore({ client, tableName });
      const d = createDeduper({ store, namespace: 'orders', transactional });
      let ran = false;
      const error = await d
        .run('k', () => {
          ran = true;
        })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StoreError);
      expect(error).toBeInstanceOf(TableNotFoundError);
      expect(error).toMatchObject({
        retryable: false,
        operation: transactional ? 'commit' : 'claim',
      });
      expect((error as Error).message).toContain(`"${tableName}"`);
      expect((error as Error).message).toContain('createTable');
      // Claim mode finds the table missing before the handler; transactional mode after it.
      expect(ran).toBe(transactional);
    });
  });
});
