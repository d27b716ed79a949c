import {
  ConditionalCheckFailedException,
  DynamoDBServiceException,
  InternalServerError,
  ProvisionedThroughputExceededException,
  RequestLimitExceeded,
  ResourceNotFoundException,
  ThrottlingException,
} from '@aws-sdk/client-dynamodb';
import { StoreError, type StoreOperation } from '@oncely/core';
import { describe, expect, it } from 'vitest';
import { DynamoDBStore, isRetryableFault, TableNotFoundError } from '../src/index.js';
import { fakeClient } from './fake-client.js';

const meta = (httpStatusCode: number) => ({ $metadata: { httpStatusCode } });

function serviceError(name: string, status: number, fault: 'client' | 'server') {
  return new DynamoDBServiceException({ name, $fault: fault, message: name, ...meta(status) });
}

function socketError(code: string): Error {
  return Object.assign(new Error(`socket: ${code}`), { code });
}

const RETRYABLE: [string, () => unknown][] = [
  [
    'ProvisionedThroughputExceededException',
    () => new ProvisionedThroughputExceededException({ message: 'over', ...meta(400) }),
  ],
  ['ThrottlingException', () => new ThrottlingException({ message: 'throttled', ...meta(400) })],
  ['RequestLimitExceeded', () => new RequestLimitExceeded({ message: 'limit', ...meta(400) })],
  ['InternalServerError (500)', () => new InternalServerError({ message: 'boom', ...meta(500) })],
  ['ServiceUnavailable (503)', () => serviceError('ServiceUnavailable', 503, 'server')],
  ['an unnamed 502', () => serviceError('UnknownError', 502, 'server')],
  ['a request timeout', () => Object.assign(new Error('timed out'), { name: 'TimeoutError' })],
  ['a connection reset', () => socketError('ECONNRESET')],
  ['a refused connection', () => socketError('ECONNREFUSED')],
  ['a reset wrapped as cause', () => new Error('send failed', { cause: socketError('EPIPE') })],
];

const NOT_RETRYABLE: [string, () => unknown][] = [
  ['ValidationException', () => serviceError('ValidationException', 400, 'client')],
  ['AccessDeniedException', () => serviceError('AccessDeniedException', 400, 'client')],
  ['a programming error', () => new TypeError('not a function')],
];

const T = 1_900_000_000_000;

/** Calls each store operation once, so every one of them is checked. */
const OPERATIONS: [StoreOperation, (store: DynamoDBStore) => Promise<unknown>][] = [
  ['claim', (s) => s.claim('ns#k', { leaseMs: 1000, ttlMs: 60_000, now: T })],
  ['complete', (s) => s.complete('ns#k', 'tok', { ttlMs: 60_000, now: T })],
  ['release', (s) => s.release('ns#k', 'tok')],
  ['extendLease', (s) => s.extendLease('ns#k', 'tok', { leaseMs: 1000, now: T })],
  ['get', (s) => s.get('ns#k', { now: T })],
  ['delete', (s) => s.delete('ns#k')],
  ['commit', (s) => s.commit('ns#k', { ttlMs: 60_000, now: T, effects: [] })],
];

function failingStore(error: () => unknown): DynamoDBStore {
  const { client } = fakeClient(() => {
    throw error();
  });
  return new DynamoDBStore({ tableName: 'orders-dedup', client });
}

async function storeError(call: Promise<unknown>): Promise<StoreError> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(StoreError);
  return error as StoreError;
}

describe('DynamoDBStore fault mapping', () => {
  describe.each(RETRYABLE)('%s', (_, error) => {
    it.each(OPERATIONS)(
      'is a retryable StoreError from %s, with key and cause',
      async (op, call) => {
        const mapped = await storeError(call(failingStore(error)));
        expect(mapped).toMatchObject({ operation: op, retryable: true, storeKey: 'ns#k' });
        expect(mapped.cause).toBeDefined();
        expect(mapped.message).toContain('ns#k');
      },
    );
  });

  describe.each(NOT_RETRYABLE)('%s', (_, error) => {
    it.each(OPERATIONS)('is a non-retryable StoreError from %s', async (op, call) => {
      const mapped = await storeError(call(failingStore(error)));
      expect(mapped).toMatchObject({ operation: op, retryable: false, storeKey: 'ns#k' });
      expect(mapped.cause).toBeDefined();
    });
  });

  it.each(OPERATIONS)('names the missing table and how to create it, from %s', async (op, call) => {
    const missing = () =>
      new ResourceNotFoundException({ message: 'Requested resource not found', ...meta(400) });
    const mapped = await storeError(call(failingStore(missing)));
    expect(mapped).toBeInstanceOf(TableNotFoundError);
    expect(mapped).toMatchObject({ operation: op, retryable: false, tableName: 'orders-dedup' });
    expect(mapped.message).toContain('"orders-dedup"');
    expect(mapped.message).toContain('createTable');
    expect(mapped.cause).toBeInstanceOf(ResourceNotFoundException);
  });

  it('refuses a failed condition that came back without the old item', async () => {
    const { client } = fakeClient(() => {
      throw new ConditionalCheckFailedException({ message: 'failed', ...meta(400) });
    });
    const store = new DynamoDBStore({ tableName: 'orders-dedup', client });
    const mapped = await storeError(store.claim('ns#k', { leaseMs: 1000, ttlMs: 60_000, now: T }));
    expect(mapped).toMatchObject({ operation: 'claim', retryable: false });
    expect(mapped.message).toContain('ReturnValuesOnConditionCheckFailure');
  });

  it('refuses an item under the key that is not an oncely record', async () => {
    const { client } = fakeClient(() => {
      throw new ConditionalCheckFailedException({
        message: 'failed',
        Item: { pk: { S: 'ns#k' }, status: { S: 'SHIPPED' }, expiresAt: { N: '99999999999' } },
        ...meta(400),
      });
    });
    const store = new DynamoDBStore({ tableName: 'orders-dedup', client });
    const mapped = await storeError(store.claim('ns#k', { leaseMs: 1000, ttlMs: 60_000, now: T }));
    expect(mapped).toMatchObject({ operation: 'claim', retryable: false });
    expect(mapped.message).toContain('not an oncely record');
  });

  it("takes core's socket failures as retryable, also inside an AggregateError or a cause", () => {
    const refused = Object.assign(new Error('connect'), { code: 'ECONNREFUSED' });
    expect(isRetryableFault(new AggregateError([refused], 'connect failed'))).toBe(true);
    expect(isRetryableFault(new Error('send', { cause: refused }))).toBe(true);
    expect(isRetryableFault(Object.assign(new Error('x'), { code: 'ENOTCONN' }))).toBe(true);
    expect(isRetryableFault(Object.assign(new Error('x'), { code: 'EACCES' }))).toBe(false);
  });

  it('classifies plain values as not retryable', () => {
    expect(isRetryableFault(undefined)).toBe(false);
    expect(isRetryableFault('ECONNRESET')).toBe(false);
  });
});
