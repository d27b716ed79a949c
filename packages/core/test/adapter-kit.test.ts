import { describe, expect, it } from 'vitest';
import {
  checkObject,
  describeValue,
  isRetryableNetworkError,
  nonEmptyString,
  oneOf,
  optionalFunction,
  positiveDuration,
  positiveInteger,
  requireFunction,
  toStoreError,
} from '../src/adapter/index.js';
import { InvalidOptionError, OncelyError, StoreError } from '../src/index.js';

function refusal(check: () => unknown): InvalidOptionError {
  try {
    check();
  } catch (error) {
    if (error instanceof InvalidOptionError) return error;
    throw error;
  }
  throw new Error('expected the check to throw');
}

describe('describeValue', () => {
  it('shows objects as JSON, strings quoted, functions by name, and cuts long ones', () => {
    expect(describeValue({ bodyFeild: 'id' })).toBe('{"bodyFeild":"id"}');
    expect(describeValue('5 minutes')).toBe('"5 minutes"');
    expect(describeValue(function pick() {})).toBe('function pick');
    expect(describeValue(undefined)).toBe('undefined');
    expect(describeValue(12n)).toBe('12n');
    expect(describeValue('x'.repeat(100))).toHaveLength(62);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(describeValue(cyclic)).toBe('[object Object]');
  });
});

describe('option checks', () => {
  it('name the option and show the bad value', () => {
    const error = refusal(() => oneOf('key', { bodyFeild: 'id' }, ['messageId'] as const));
    expect(error.message).toContain('key');
    expect(error.message).toContain('{"bodyFeild":"id"}');
    expect(refusal(() => checkObject('options', 'x')).message).toContain('got "x"');
    expect(refusal(() => checkObject('options', [])).message).toContain('got []');
    expect(refusal(() => requireFunction('handler', 3)).message).toContain('got 3');
    expect(refusal(() => positiveInteger('concurrency', 0)).message).toContain('got 0');
    expect(refusal(() => positiveInteger('concurrency', 2.5)).message).toContain('got 2.5');
    expect(refusal(() => nonEmptyString('groupId', '')).message).toContain('got ""');
    expect(refusal(() => positiveDuration('lease', '5 minutes')).message).toContain(
      'got "5 minutes"',
    );
  });

  it('return the value, or the fallback when it is undefined', () => {
    expect(positiveInteger('n', undefined, 10)).toBe(10);
    expect(positiveInteger('n', 3, 10)).toBe(3);
    expect(positiveDuration('lease', '30s')).toBe(30_000);
    expect(positiveDuration('lease', undefined, '1m')).toBe(60_000);
    expect(nonEmptyString('name', undefined, 'fallback')).toBe('fallback');
    expect(oneOf('fifo', undefined, ['auto', true, false] as const, 'auto')).toBe('auto');
    expect(() => optionalFunction('onEvent', undefined)).not.toThrow();
    expect(refusal(() => optionalFunction('onEvent', 'no')).option).toBe('onEvent');
  });
});

describe('toStoreError', () => {
  const context = {
    operation: 'claim',
    storeKey: 'ns#k',
    storeName: 'test',
    retryable: true,
  } as const;

  it('wraps a client error with the key, operation, cause and retryable flag', () => {
    const cause = new Error('socket hang up');
    const error = toStoreError(cause, context);
    expect(error).toBeInstanceOf(StoreError);
    expect(error).toMatchObject({ operation: 'claim', retryable: true, storeKey: 'ns#k', cause });
    expect(error.message).toContain('"ns#k"');
    expect(error.message).toContain('socket hang up');
  });

  it("passes oncely's own errors through", () => {
    const own = new InvalidOptionError('x', 'bad');
    expect(toStoreError(own, context)).toBe(own);
    expect(toStoreError(own, context)).toBeInstanceOf(OncelyError);
  });
});

describe('isRetryableNetworkError', () => {
  it('finds socket codes through the cause chain and aggregate errors', () => {
    const reset = Object.assign(new Error('reset'), { code: 'ECONNRESET' });
    expect(isRetryableNetworkError(reset)).toBe(true);
    expect(isRetryableNetworkError(new Error('outer', { cause: reset }))).toBe(true);
    expect(isRetryableNetworkError(new AggregateError([reset], 'connect failed'))).toBe(true);
    expect(isRetryableNetworkError(new Error('syntax error'))).toBe(false);
    expect(isRetryableNetworkError(Object.assign(new Error('x'), { code: 'EACCES' }))).toBe(false);
  });
});
