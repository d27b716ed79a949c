import { randomUUID } from 'node:crypto';
import {
  DeleteTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { InvalidOptionError } from '@oncely/core';
import { describeWithServers, dynamoClient } from '@oncely/test-support/servers';
import { afterAll, expect, it } from 'vitest';
import { createTable } from '../src/index.js';

describeWithServers('createTable', () => {
  const client = dynamoClient();
  const made: string[] = [];
  const name = (purpose: string) => {
    const tableName = `oncely-create-${purpose}-${randomUUID().slice(0, 8)}`;
    made.push(tableName);
    return tableName;
  };
  afterAll(async () => {
    await Promise.all(
      made.map((TableName) => client.send(new DeleteTableCommand({ TableName })).catch(() => {})),
    );
    client.destroy();
  });

  it('creates an on-demand table with TTL on the expiry attribute, once', async () => {
    const tableName = name('default');
    expect(await createTable(client, { tableName })).toEqual({ created: true, ttlEnabled: true });
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    expect(Table?.TableStatus).toBe('ACTIVE');
    expect(Table?.KeySchema).toEqual([{ AttributeName: 'pk', KeyType: 'HASH' }]);
    expect(Table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
    const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
    expect(ttl.TimeToLiveDescription).toMatchObject({
      AttributeName: 'expiresAt',
      TimeToLiveStatus: 'ENABLED',
    });
    expect(await createTable(client, { tableName })).toEqual({ created: false, ttlEnabled: false });
  });

  it('follows custom attribute names and a sort key', async () => {
    const tableName = name('single');
    await createTable(client, {
      tableName,
      attributes: { key: 'PK', expiresAt: 'ttl' },
      sortKey: { name: 'SK', value: 'ONCELY' },
    });
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    expect(Table?.KeySchema).toEqual([
      { AttributeName: 'PK', KeyType: 'HASH' },
      { AttributeName: 'SK', KeyType: 'RANGE' },
    ]);
    const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
    expect(ttl.TimeToLiveDescription?.AttributeName).toBe('ttl');
  });

  it('refuses an existing table whose key schema differs', async () => {
    const tableName = name('mismatch');
    await createTable(client, { tableName });
    const error = await createTable(client, {
      tableName,
      sortKey: { name: 'sk', value: 'x' },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidOptionError);
    expect((error as Error).message).toContain('pk (HASH)');
    expect((error as Error).message).toContain('sk (RANGE)');
  });

  it('refuses an existing table with TTL on another attribute', async () => {
    const tableName = name('ttl');
    await createTable(client, { tableName, attributes: { expiresAt: 'deleteAt' } });
    const error = await createTable(client, { tableName }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidOptionError);
    expect((error as InvalidOptionError).option).toBe('attributes.expiresAt');
  });
});
