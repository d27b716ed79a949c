import { InvalidOptionError, KeyReadError } from '@oncely/core';
import { describe, expect, it } from 'vitest';
import { MessageKeyError } from '../src/index.js';
import { keyReader, type MessageKey } from '../src/keys.js';
import { message } from './fakes.js';

const at = (msg: ReturnType<typeof message>) => ({ topic: 'orders', partition: 3, message: msg });
const read = (key: MessageKey | undefined, msg: ReturnType<typeof message>) =>
  keyReader(key)(at(msg));

function keyError(run: () => unknown): MessageKeyError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(MessageKeyError);
    expect(error).toBeInstanceOf(KeyReadError);
    return error as MessageKeyError;
  }
  throw new Error('expected a MessageKeyError');
}

function optionError(run: () => unknown): InvalidOptionError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidOptionError);
    return error as InvalidOptionError;
  }
  throw new Error('expected an InvalidOptionError');
}

describe("key: 'offset'", () => {
  it('keys by topic, partition and offset, and is the default', () => {
    expect(read('offset', message(42))).toBe('orders/3/42');
    expect(read(undefined, message(42))).toBe('orders/3/42');
  });
});

describe('key: { header }', () => {
  const byHeader = { header: 'idempotency-key' } as const;

  it('reads a Buffer or string header, scoped by topic', () => {
    expect(read(byHeader, message(1, {}, { 'idempotency-key': 'evt-1' }))).toBe('orders/evt-1');
    const withString = { ...message(2), headers: { 'idempotency-key': 'evt-2' } };
    expect(read(byHeader, withString)).toBe('orders/evt-2');
  });

  it('accepts a repeated header with one value, refuses differing values', () => {
    const same = { ...message(1), headers: { 'idempotency-key': ['a', Buffer.from('a')] } };
    expect(read(byHeader, same)).toBe('orders/a');
    const differing = { ...message(1), headers: { 'idempotency-key': ['a', 'b'] } };
    expect(keyError(() => read(byHeader, differing)).problem).toBe('invalid_key');
  });

  it('refuses a message without the header, naming where it sits', () => {
    const error = keyError(() => read(byHeader, message(7)));
    expect(error).toMatchObject({
      problem: 'missing_header',
      reason: 'missing_header',
      source: 'header idempotency-key',
      topic: 'orders',
      partition: 3,
      offset: '7',
      name: 'MessageKeyError',
    });
    expect(error.message).toContain('orders/3@7');
  });
});

describe('key: { field }', () => {
  it('reads a nested string or number field, scoped by topic', () => {
    expect(read({ field: 'order.id' }, message(1, { order: { id: 'o-9' } }))).toBe('orders/o-9');
    expect(read({ field: 'seq' }, message(1, { seq: 12 }))).toBe('orders/12');
  });

  it('takes the one path syntax: a leading $. and array indices', () => {
    const value = { order: { items: [{ sku: 'a-1' }] } };
    expect(read({ field: '$.order.items[0].sku' }, message(1, value))).toBe('orders/a-1');
    expect(read({ field: 'order.items[0].sku' }, message(1, value))).toBe('orders/a-1');
  });

  it('refuses a value that is not JSON, with the parse error as cause', () => {
    const error = keyError(() => read({ field: 'id' }, message(5, '{not json')));
    expect(error.problem).toBe('unparseable_value');
    expect(error.source).toBe('value field id');
    expect(error.cause).toBeInstanceOf(SyntaxError);
  });

  it('refuses a missing value, a missing field and a field of the wrong type', () => {
    const problem = (value: unknown) => keyError(() => read({ field: 'id' }, message(1, value)));
    expect(problem(null).problem).toBe('missing_value');
    expect(problem({ other: 1 }).problem).toBe('missing_field');
    expect(problem({ id: { x: 1 } }).problem).toBe('missing_field');
    expect(problem({ id: '' }).problem).toBe('missing_field');
    expect(problem({ id: true }).problem).toBe('missing_field');
  });
});

describe('key: a function', () => {
  it('returns what the function returns, as it is', () => {
    expect(read(({ message: m }) => `custom-${m.offset}`, message(4))).toBe('custom-4');
  });

  it('wraps a throwing key function and refuses a non-string or empty key', () => {
    const thrown = keyError(() =>
      read(() => {
        throw new Error('no id');
      }, message(1)),
    );
    expect(thrown).toMatchObject({ problem: 'invalid_key', offset: '1', source: 'key function' });
    expect(thrown.message).toContain('no id');
    expect(keyError(() => read(() => '', message(1))).problem).toBe('invalid_key');
    expect(keyError(() => read(() => 42 as unknown as string, message(1))).problem).toBe(
      'invalid_key',
    );
  });
});

describe('a bad key option', () => {
  it('is refused at construction, naming the option and showing the value', () => {
    const misspelled = optionError(() => keyReader({ feild: 'id' } as never));
    expect(misspelled.option).toBe('key');
    expect(misspelled.message).toContain('got {"feild":"id"}');
    expect(misspelled.message).toContain("'offset', { field }, { header } or a function");
    expect(optionError(() => keyReader({ field: 'a..b' })).message).toContain(
      'got { field: "a..b" }',
    );
    expect(optionError(() => keyReader({ header: '' })).message).toContain('got { header: "" }');
    for (const bad of ['messageId', 42, {}, { field: 'id', header: 'h' }, { header: 7 }]) {
      expect(optionError(() => keyReader(bad as never)).option).toBe('key');
    }
  });
});

describe('the key option type', () => {
  it('takes exactly one of field and header', () => {
    const allowed: MessageKey[] = [
      'offset',
      { field: 'order.id' },
      { header: 'idempotency-key' },
      ({ topic, message: m }) => `${topic}:${m.offset}`,
    ];
    // @ts-expect-error: `field` and `header` together do not type-check
    const both: MessageKey = { field: 'id', header: 'idempotency-key' };
    // @ts-expect-error: the SQS id does not type-check here
    const sqsId: MessageKey = 'messageId';
    expect(allowed).toHaveLength(4);
    expect(() => keyReader(both)).toThrow(InvalidOptionError);
    expect(() => keyReader(sqsId)).toThrow(InvalidOptionError);
  });
});
