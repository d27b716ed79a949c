import { InvalidOptionError, StoreError } from '@oncely/core';
import { describe, expect, it } from 'vitest';
import { DynamoDBWatermarkStore } from '../src/watermark/index.js';
import { fakeClient } from './fake-client.js';

const { client } = fakeClient(() => ({ $metadata: {} }));

function optionError(options: unknown): InvalidOptionError {
  try {
    new DynamoDBWatermarkStore(options as never);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidOptionError);
    return error as InvalidOptionError;
  }
  throw new Error('expected InvalidOptionError');
}

/** A store whose every call fails with `fault`, and the error its `read` throws. */
async function readFailure(fault: unknown): Promise<StoreError> {
  const failing = fakeClient(() => {
    throw fault;
  });
  const store = new DynamoDBWatermarkStore({ client: failing.client, tableName: 'oncely' });
  const error = await store.read('k').catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(StoreError);
  return error as StoreError;
}

describe('DynamoDBWatermarkStore options', () => {
  it('validates with the dedup store’s rules, naming the option', () => {
    expect(optionError(null).option).toBe('options');
    expect(optionError({ tableName: 'oncely' }).option).toBe('client');
    expect(optionError({ client, tableName: 'no' }).option).toBe('tableName');
    expect(optionError({ client, tableName: 'oncely', keyAttribute: '' }).option).toBe(
      'keyAttribute',
    );
    expect(
      optionError({ client, tableName: 'oncely', sortKey: { name: 'pk', value: 'x' } }).option,
    ).toBe('sortKey.name');
    expect(
      optionError({ client, tableName: 'oncely', sortKey: { name: 'sk', value: '' } }).option,
    ).toBe('sortKey.value');
  });
});

describe('DynamoDBWatermarkStore failures', () => {
  // The same classification as DynamoDBStore's: the store's own regex missed these.
  it.each([
    ['a 429', Object.assign(new Error('slow down'), { $metadata: { httpStatusCode: 429 } })],
    ['ETIMEDOUT', Object.assign(new Error('socket'), { code: 'ETIMEDOUT' })],
    ['EPIPE', Object.assign(new Error('socket'), { code: 'EPIPE' })],
    [
      'a throttle in the cause chain',
      new Error('wrapped', {
        cause: Object.assign(new Error('t'), { name: 'ThrottlingException' }),
      }),
    ],
  ])('treats %s as retryable', async (_, fault) => {
    const error = await readFailure(fault);
    expect(error).toMatchObject({ operation: 'get', retryable: true, storeKey: 'k' });
  });

  it('treats a validation error as not retryable', async () => {
    const fault = Object.assign(new Error('bad'), {
      name: 'ValidationException',
      $metadata: { httpStatusCode: 400 },
    });
    expect((await readFailure(fault)).retryable).toBe(false);
  });
});
