import type { TransactWriteItem } from '@aws-sdk/client-dynamodb';
import { createDeduper, type DedupStore, ManualClock, ResultTooLargeError } from '@oncely/core';
import { bindStore } from '@oncely/core/testing';
import { describe, expect, it } from 'vitest';
import {
  attributeValueSize,
  DYNAMODB_LIMITS,
  DynamoDBStore,
  InvalidEffectError,
  ItemTooLargeError,
  itemSize,
  TransactionLimitError,
} from '../src/index.js';
import { fakeClient } from './fake-client.js';

const T = 1_900_000_000_000;
const TTL = 60_000;

function recordingStore() {
  const { client, sent } = fakeClient(() => ({ $metadata: {} }));
  return { store: new DynamoDBStore({ tableName: 'oncely', client }), sent };
}

const ledgerPut = (id: number, bytes = 10): TransactWriteItem => ({
  Put: { TableName: 'ledger', Item: { pk: { S: `row-${id}` }, pad: { S: 'x'.repeat(bytes) } } },
});

describe('item sizes', () => {
  it('counts names and values the way DynamoDB documents them', () => {
    expect(attributeValueSize({ S: 'héllo' })).toBe(6);
    expect(attributeValueSize({ N: '1900000000000' })).toBe(2); // two significant digits
    expect(attributeValueSize({ N: '-12345.678' })).toBe(5);
    expect(attributeValueSize({ B: new Uint8Array(7) })).toBe(7);
    expect(attributeValueSize({ BOOL: true })).toBe(1);
    expect(attributeValueSize({ L: [{ S: 'ab' }, { NULL: true }] })).toBe(3 + 1 + 2 + 1 + 1);
    expect(attributeValueSize({ M: { a: { S: 'bc' } } })).toBe(3 + 1 + 1 + 2);
    expect(attributeValueSize({ SS: ['a', 'bb'] })).toBe(3);
    expect(itemSize({ pk: { S: 'k' }, n: { N: '7' } })).toBe(2 + 1 + 1 + 2);
  });
});

describe('the 400 KB item limit', () => {
  it('refuses a completion whose result would push the item over 400 KB, before any call', async () => {
    const { store, sent } = recordingStore();
    const result = 'x'.repeat(DYNAMODB_LIMITS.itemBytes);
    const error = await store
      .complete('ns#k', 'tok', { ttlMs: TTL, now: T, result })
      .catch((e) => e);
    expect(error).toBeInstanceOf(ItemTooLargeError);
    expect(error).toBeInstanceOf(ResultTooLargeError);
    expect(error.maxBytes).toBe(409_600);
    expect(error.sizeBytes).toBeGreaterThan(409_600);
    expect(error.message).toContain(`${error.sizeBytes} bytes`);
    expect(error.message).toContain('409600');
    expect(error.storeKey).toBe('ns#k');
    expect(sent).toHaveLength(0);
  });

  it('lets a completion just under the limit through', async () => {
    const { store, sent } = recordingStore();
    const result = 'x'.repeat(DYNAMODB_LIMITS.itemBytes - 1024);
    await store.complete('ns#k', 'tok', { ttlMs: TTL, now: T, result });
    expect(sent.map((c) => c.name)).toEqual(['UpdateItemCommand']);
  });

  it('refuses a commit whose record would be over 400 KB, before any call', async () => {
    const { store, sent } = recordingStore();
    const result = 'é'.repeat(DYNAMODB_LIMITS.itemBytes / 2);
    const error = await store
      .commit('ns#k', { ttlMs: TTL, now: T, result, effects: [] })
      .catch((e) => e);
    expect(error).toBeInstanceOf(ItemTooLargeError);
    expect(sent).toHaveLength(0);
  });

  it('refuses, when the deduper is built, a maxResultBytes over what the store can keep', () => {
    const { store } = recordingStore();
    expect(() =>
      createDeduper({ store, namespace: 'ns', storeResult: true, maxResultBytes: 1024 * 1024 }),
    ).toThrow(/`maxResultBytes`.*400000 bytes/);
  });

  it('completes without the result when the store refuses it as too large, then throws: the effect is never repeated', async () => {
    const { store, sent } = recordingStore();
    // A wrapper that does not pass the store's declared limit on, as a user's might.
    const undeclared: DedupStore = bindStore(store);
    const deduper = createDeduper({
      store: undeclared,
      namespace: 'ns',
      storeResult: true,
      maxResultBytes: 1024 * 1024,
      clock: new ManualClock(T),
    });
    const error = await deduper.run('k', () => 'x'.repeat(500_000)).catch((e) => e);
    expect(error).toBeInstanceOf(ResultTooLargeError);
    expect(error).toBeInstanceOf(ItemTooLargeError);
    expect(error).toMatchObject({ key: 'k', storeKey: 'ns#k' });
    // The claim, then the completion without the result (the one with it was refused before sending).
    expect(sent.map((c) => c.name)).toEqual(['PutItemCommand', 'UpdateItemCommand']);
    const completion = sent[1]?.input as { ExpressionAttributeValues?: Record<string, unknown> };
    expect(completion.ExpressionAttributeValues?.[':result']).toBeUndefined();
    expect(completion.ExpressionAttributeValues?.[':completed']).toEqual({ S: 'COMPLETED' });
  });
});

describe('transaction limits', () => {
  it('allows the record plus 99 effects, and refuses one more before any call', async () => {
    const { store, sent } = recordingStore();
    const effects = Array.from({ length: 99 }, (_, i) => ledgerPut(i));
    await store.commit('ns#a', { ttlMs: TTL, now: T, effects });
    expect(sent).toHaveLength(1);
    const error = await store
      .commit('ns#b', { ttlMs: TTL, now: T, effects: [...effects, ledgerPut(99)] })
      .catch((e) => e);
    expect(error).toBeInstanceOf(TransactionLimitError);
    expect(error).toMatchObject({ limit: 'items', actual: 101, max: 100, retryable: false });
    expect(error.message).toContain('101 actions');
    expect(sent).toHaveLength(1);
  });

  it('refuses more than 4 MB of items before any call', async () => {
    const { store, sent } = recordingStore();
    const effects = Array.from({ length: 11 }, (_, i) => ledgerPut(i, 390_000));
    const error = await store.commit('ns#k', { ttlMs: TTL, now: T, effects }).catch((e) => e);
    expect(error).toBeInstanceOf(TransactionLimitError);
    expect(error).toMatchObject({ limit: 'bytes', max: 4 * 1024 * 1024, operation: 'commit' });
    expect(error.actual).toBeGreaterThan(4 * 1024 * 1024);
    expect(sent).toHaveLength(0);
    await store.commit('ns#k', { ttlMs: TTL, now: T, effects: effects.slice(0, 10) });
    expect(sent).toHaveLength(1);
  });

  it('counts the keys and values of updates, deletes and condition checks', async () => {
    const { store, sent } = recordingStore();
    const big = { ':v': { S: 'x'.repeat(1_100_000) } };
    const update = (id: string): TransactWriteItem => ({
      Update: {
        TableName: 'ledger',
        Key: { pk: { S: id } },
        UpdateExpression: 'SET v = :v',
        ExpressionAttributeValues: big,
      },
    });
    const effects = [update('a'), update('b'), update('c'), update('d')];
    const error = await store.commit('ns#k', { ttlMs: TTL, now: T, effects }).catch((e) => e);
    expect(error).toMatchObject({ limit: 'bytes' });
    expect(sent).toHaveLength(0);
  });

  it.each([
    ['null', null, 'got null'],
    ['a string', 'put row', 'got string'],
    ['an empty object', {}, 'got none'],
    [
      'two actions',
      { Put: { TableName: 't', Item: {} }, Delete: { TableName: 't', Key: {} } },
      'Put, Delete',
    ],
    ['a missing table', { Put: { Item: {} } }, 'Put.TableName'],
  ])('refuses %s as an effect, naming its index', async (_, effect, detail) => {
    const { store, sent } = recordingStore();
    const effects = [ledgerPut(1), effect];
    const error = await store.commit('ns#k', { ttlMs: TTL, now: T, effects }).catch((e) => e);
    expect(error).toBeInstanceOf(InvalidEffectError);
    expect(error).toMatchObject({ index: 1, retryable: false, operation: 'commit' });
    expect(error.message).toContain('Effect #1');
    expect(error.message).toContain(detail);
    expect(sent).toHaveLength(0);
  });
});
