import { describe, expect, it } from 'vitest';
import {
  checkDeduperOptions,
  checkObject,
  describeValue,
  fieldKeyText,
  isRetryableNetworkError,
  type KeyOptionShape,
  nonEmptyString,
  oneOf,
  optionalFunction,
  parseKeyOption,
  positiveDuration,
  positiveInteger,
  requireFunction,
  toStoreError,
} from '../src/adapter/index.js';
import {
  consoleLogger,
  createDeduper,
  InvalidOptionError,
  ManualClock,
  MemoryStore,
  OncelyError,
  type OncelyLogger,
  StoreError,
  silentLogger,
  systemClock,
} from '../src/index.js';

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

describe('checkDeduperOptions', () => {
  const store = new MemoryStore();

  it('refuses what createDeduper refuses, naming the same option', () => {
    for (const [option, options] of [
      ['store', {}],
      ['lease', { store, lease: '5 minutes' }],
      ['ttl', { store, ttl: '1s', lease: '1m' }],
      ['namespace', { store, namespace: '' }],
      ['options', 'x'],
    ] as const) {
      expect(refusal(() => checkDeduperOptions(options as never)).option).toBe(option);
      expect(
        refusal(() => createDeduper({ namespace: 'n', ...(options as object) } as never)).option,
      ).toBe(option === 'options' ? 'store' : option);
    }
  });

  it('returns what the deduper would resolve, and leaves a missing namespace unset', () => {
    const clock = new ManualClock(0);
    const logger: OncelyLogger = { ...silentLogger };
    const options = { store, lease: '30s', ttl: '1h', clock, logger } as const;
    const settings = checkDeduperOptions(options);
    expect(settings).toEqual({
      namespace: undefined,
      leaseMs: 30_000,
      ttlMs: 3_600_000,
      clock,
      logger,
    });
    const deduper = createDeduper({ ...options, namespace: 'n' });
    expect(checkDeduperOptions({ ...options, namespace: 'n' })).toEqual({
      namespace: deduper.namespace,
      leaseMs: deduper.leaseMs,
      ttlMs: deduper.ttlMs,
      clock: deduper.clock,
      logger: deduper.logger,
    });
    const defaults = checkDeduperOptions({ store });
    expect(defaults.clock).toBe(systemClock);
    expect(defaults.logger).toBe(consoleLogger);
  });
});

describe('parseKeyOption', () => {
  const sqs: KeyOptionShape = {
    ids: ['messageId', 'deduplicationId'],
    fieldHost: 'body',
    namedHost: 'attribute',
    namedLabel: 'message attribute',
    renamed: { oldField: 'field' },
  };

  it('parses each form, with the source a key error names', () => {
    expect(parseKeyOption('messageId', sqs)).toEqual({ form: 'id', id: 'messageId' });
    const field = parseKeyOption({ field: '$.order.items[0].id' }, sqs);
    expect(field).toMatchObject({
      form: 'field',
      field: '$.order.items[0].id',
      path: ['order', 'items', 0, 'id'],
      source: 'body field $.order.items[0].id',
    });
    if (field.form !== 'field') throw new Error('expected the field form');
    expect(field.read({ order: { items: [{ id: 'o-1' }] } })).toBe('o-1');
    expect(field.read({ order: {} })).toBeUndefined();
    expect(parseKeyOption({ attribute: 'eventId' }, sqs)).toEqual({
      form: 'named',
      name: 'eventId',
      source: 'message attribute eventId',
    });
    const pick = () => 'k';
    expect(parseKeyOption(pick, sqs)).toEqual({ form: 'function', fn: pick });
  });

  it('refuses a bad option, listing the forms and showing the value', () => {
    const misspelled = refusal(() => parseKeyOption({ bodyFeild: 'id' }, sqs));
    expect(misspelled.option).toBe('key');
    expect(misspelled.message).toBe(
      'Invalid option `key`: expected \'messageId\', \'deduplicationId\', { field }, { attribute } or a function, got {"bodyFeild":"id"}',
    );
    expect(refusal(() => parseKeyOption({ field: 'a..b' }, sqs)).message).toContain(
      'got { field: "a..b" }',
    );
    expect(refusal(() => parseKeyOption({ field: 3 }, sqs)).message).toContain('got { field: 3 }');
    expect(refusal(() => parseKeyOption({ attribute: '' }, sqs)).message).toContain(
      'got { attribute: "" }',
    );
    for (const bad of [
      'offset',
      42,
      null,
      [],
      {},
      { field: 'a', attribute: 'b' },
      { header: 'h' },
    ]) {
      expect(refusal(() => parseKeyOption(bad, sqs)).option).toBe('key');
    }
  });

  it('refuses a renamed spelling, naming the new one', () => {
    const error = refusal(() => parseKeyOption({ oldField: 'detail.id' }, sqs));
    expect(error.message).toContain('{ oldField } is now { field }');
    expect(error.message).toContain('write { field: "detail.id" }');
  });

  it('offers only the forms the shape has', () => {
    const headerOnly: KeyOptionShape = { namedHost: 'header', functions: false, option: 'key' };
    expect(parseKeyOption({ header: 'X-Id' }, headerOnly)).toMatchObject({ form: 'named' });
    const refused = refusal(() => parseKeyOption(() => 'k', headerOnly));
    expect(refused.message).toContain('expected { header }, got a function');
    expect(refusal(() => parseKeyOption({ field: 'id' }, headerOnly)).option).toBe('key');
  });
});

describe('fieldKeyText', () => {
  it('keeps strings, writes finite numbers in decimal, and refuses the rest', () => {
    expect(fieldKeyText('evt-1')).toBe('evt-1');
    expect(fieldKeyText('')).toBe('');
    expect(fieldKeyText(42)).toBe('42');
    expect(fieldKeyText(1.5)).toBe('1.5');
    for (const other of [Number.NaN, Number.POSITIVE_INFINITY, null, undefined, true, {}, [1]]) {
      expect(fieldKeyText(other)).toBeUndefined();
    }
  });
});
