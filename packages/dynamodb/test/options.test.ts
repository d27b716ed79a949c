import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { InvalidOptionError } from '@oncely/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DYNAMODB_STORE_DEFAULTS, DynamoDBStore, type DynamoDBStoreOptions } from '../src/index.js';
import { fakeClient } from './fake-client.js';

const { client } = fakeClient(() => ({ $metadata: {} }));

function optionError(options: unknown): InvalidOptionError {
  try {
    new DynamoDBStore(options as DynamoDBStoreOptions);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidOptionError);
    return error as InvalidOptionError;
  }
  throw new Error('expected the options to be refused');
}

describe('DynamoDBStore options', () => {
  it.each([
    ['options', null],
    ['tableName', { client }],
    ['tableName', { client, tableName: 'ab' }],
    ['tableName', { client, tableName: 'has space' }],
    ['clientConfig', { tableName: 'oncely', client, clientConfig: {} }],
    ['client', { tableName: 'oncely', client: {} }],
    ['clientConfig', { tableName: 'oncely', clientConfig: 'us-east-1' }],
    ['attributes', { tableName: 'oncely', client, attributes: 'pk' }],
    ['attributes.partition', { tableName: 'oncely', client, attributes: { partition: 'id' } }],
    ['attributes.key', { tableName: 'oncely', client, attributes: { key: '' } }],
    ['attributes.token', { tableName: 'oncely', client, attributes: { token: 'x'.repeat(256) } }],
    ['attributes', { tableName: 'oncely', client, attributes: { result: 'status' } }],
    ['sortKey', { tableName: 'oncely', client, sortKey: 'sk' }],
    ['sortKey.name', { tableName: 'oncely', client, sortKey: { name: 'pk', value: 'x' } }],
    ['sortKey.name', { tableName: 'oncely', client, sortKey: { value: 'x' } }],
    ['sortKey.value', { tableName: 'oncely', client, sortKey: { name: 'sk', value: '' } }],
    ['consistentRead', { tableName: 'oncely', client, consistentRead: 'yes' }],
  ])('refuses a bad %s at construction', (option, options) => {
    const error = optionError(options);
    expect(error.option).toBe(option);
    expect(error.message).toContain(`\`${option}\``);
  });

  it.each([
    [{ client, tableName: 'oncely', consistentRead: 'yes' }, 'got "yes"'],
    [{ tableName: 'oncely', client: { region: 'x' } }, 'got {"region":"x"}'],
    [{ client, tableName: 'oncely', attributes: 'pk' }, 'got "pk"'],
    [{ client, tableName: 'oncely', sortKey: { name: 'sk', value: 7 } }, 'got 7'],
    [{ client, tableName: 'oncely', batch: { maxAttempts: '3' } }, 'got "3"'],
    [{ client, tableName: { name: 'oncely' } }, 'got {"name":"oncely"}'],
  ])('shows a bad value readably (%o)', (options, shown) => {
    expect(optionError(options).message).toContain(shown);
  });

  it('writes the default attribute names and reads consistently by default', async () => {
    const { client: recording, sent } = fakeClient(() => ({ $metadata: {} }));
    const store = new DynamoDBStore({ tableName: 'oncely', client: recording });
    await store.claim('ns#k', { leaseMs: 1000, ttlMs: 60_000, now: 1_000, fingerprint: 'fp' });
    await store.get('ns#k', { now: 1_000 });
    const put = sent[0]?.input as { Item: Record<string, unknown> };
    const { key, status, leaseUntil, expiresAt, token, fingerprint } =
      DYNAMODB_STORE_DEFAULTS.attributes;
    expect(Object.keys(put.Item).sort()).toEqual(
      [key, status, leaseUntil, expiresAt, token, fingerprint].sort(),
    );
    expect(sent[1]?.input).toMatchObject({ Key: { pk: { S: 'ns#k' } }, ConsistentRead: true });
  });

  it('uses custom attribute names, the static sort key and eventually consistent reads', async () => {
    const { client: recording, sent } = fakeClient(() => ({ $metadata: {} }));
    const store = new DynamoDBStore({
      tableName: 'app-table',
      client: recording,
      attributes: { key: 'PK', status: 'st', expiresAt: 'ttl' },
      sortKey: { name: 'SK', value: 'ONCELY' },
      consistentRead: false,
    });
    await store.claim('ns#k', { leaseMs: 1000, ttlMs: 60_000, now: 1_000 });
    await store.get('ns#k', { now: 1_000 });
    expect(sent[0]?.input).toMatchObject({
      TableName: 'app-table',
      Item: { PK: { S: 'ns#k' }, SK: { S: 'ONCELY' }, st: { S: 'IN_PROGRESS' }, ttl: { N: '61' } },
      ExpressionAttributeNames: { '#k': 'PK', '#s': 'st', '#e': 'ttl', '#l': 'leaseUntil' },
    });
    expect(sent[1]?.input).toMatchObject({
      Key: { PK: { S: 'ns#k' }, SK: { S: 'ONCELY' } },
      ConsistentRead: false,
    });
  });

  it('makes its own client from clientConfig and destroys only that one on close', () => {
    const own = new DynamoDBStore({ tableName: 'oncely', clientConfig: { region: 'eu-west-1' } });
    expect(own.client).toBeInstanceOf(DynamoDBClient);
    let destroyed = 0;
    own.client.destroy = () => {
      destroyed++;
    };
    own.close();
    const { client: yours } = fakeClient(() => undefined);
    yours.destroy = () => {
      destroyed += 10;
    };
    new DynamoDBStore({ tableName: 'oncely', client: yours }).close();
    expect(destroyed).toBe(1);
  });

  describe('with neither client nor clientConfig', () => {
    afterEach(() => {
      vi.unstubAllEnvs();
    });

    it('makes a default client from the environment, as on Lambda, and destroys it on close', async () => {
      // What the Lambda runtime sets; the SDK's default chains read them.
      vi.stubEnv('AWS_REGION', 'ap-southeast-2');
      vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDEXAMPLE');
      vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'secret');
      const store = new DynamoDBStore({ tableName: 'oncely' });
      expect(store.client).toBeInstanceOf(DynamoDBClient);
      expect(await store.client.config.region()).toBe('ap-southeast-2');
      expect(await store.client.config.credentials()).toMatchObject({
        accessKeyId: 'AKIDEXAMPLE',
      });
      let destroyed = 0;
      store.client.destroy = () => {
        destroyed++;
      };
      store.close();
      expect(destroyed).toBe(1);
    });

    it('still refuses both, for callers the types cannot stop', () => {
      const error = optionError({ tableName: 'oncely', client, clientConfig: {} });
      expect(error.message).toContain('at most one');
    });

    it('says in the types: client, clientConfig or neither, never both', () => {
      const allowed: DynamoDBStoreOptions[] = [
        { tableName: 'oncely' },
        { tableName: 'oncely', client },
        { tableName: 'oncely', clientConfig: { region: 'eu-west-1' } },
      ];
      // @ts-expect-error: `client` and `clientConfig` together do not type-check
      const both: DynamoDBStoreOptions = { tableName: 'oncely', client, clientConfig: {} };
      expect(allowed.length + (both ? 1 : 0)).toBe(4);
    });
  });

  it('is named after its table', () => {
    expect(new DynamoDBStore({ tableName: 'orders-dedup', client }).name).toBe(
      'dynamodb:orders-dedup',
    );
  });
});
