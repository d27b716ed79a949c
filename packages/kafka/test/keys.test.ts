import { describe, expect, it } from 'vitest';
import { keyByHeader, keyByOffset, keyByValueField, MessageKeyError } from '../src/index.js';
import { readKey } from '../src/keys.js';
import { message } from './fakes.js';

const at = (msg: ReturnType<typeof message>) => ({ topic: 'orders', partition: 3, message: msg });

function keyError(run: () => unknown): MessageKeyError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(MessageKeyError);
    return error as MessageKeyError;
  }
  throw new Error('expected a MessageKeyError');
}

describe('keyByOffset', () => {
  it('keys by topic, partition and offset', () => {
    expect(keyByOffset()(at(message(42)))).toBe('orders/3/42');
  });
});

describe('keyByHeader', () => {
  const byHeader = keyByHeader('idempotency-key');

  it('reads a Buffer or string header, scoped by topic', () => {
    expect(byHeader(at(message(1, {}, { 'idempotency-key': 'evt-1' })))).toBe('orders/evt-1');
    const withString = { ...message(2), headers: { 'idempotency-key': 'evt-2' } };
    expect(byHeader(at(withString))).toBe('orders/evt-2');
  });

  it('accepts a repeated header with one value, refuses differing values', () => {
    const same = { ...message(1), headers: { 'idempotency-key': ['a', Buffer.from('a')] } };
    expect(byHeader(at(same))).toBe('orders/a');
    const differing = { ...message(1), headers: { 'idempotency-key': ['a', 'b'] } };
    expect(keyError(() => byHeader(at(differing))).problem).toBe('invalid_key');
  });

  it('refuses a message without the header, naming where it sits', () => {
    const error = keyError(() => byHeader(at(message(7))));
    expect(error).toMatchObject({
      problem: 'missing_header',
      topic: 'orders',
      partition: 3,
      offset: '7',
      name: 'MessageKeyError',
    });
    expect(error.message).toContain('orders/3@7');
  });
});

describe('keyByValueField', () => {
  it('reads a nested string or number field', () => {
    expect(keyByValueField('order.id')(at(message(1, { order: { id: 'o-9' } })))).toBe(
      'orders/o-9',
    );
    expect(keyByValueField('seq')(at(message(1, { seq: 12 })))).toBe('orders/12');
  });

  it('refuses a value that is not JSON, with the parse error as cause', () => {
    const error = keyError(() => keyByValueField('id')(at(message(5, '{not json'))));
    expect(error.problem).toBe('unparseable_value');
    expect(error.cause).toBeInstanceOf(SyntaxError);
  });

  it('refuses a missing value, a missing field and a field of the wrong type', () => {
    expect(keyError(() => keyByValueField('id')(at(message(1, null)))).problem).toBe(
      'missing_value',
    );
    expect(keyError(() => keyByValueField('id')(at(message(1, { other: 1 })))).problem).toBe(
      'missing_field',
    );
    expect(keyError(() => keyByValueField('id')(at(message(1, { id: { x: 1 } })))).problem).toBe(
      'missing_field',
    );
    expect(keyError(() => keyByValueField('id')(at(message(1, { id: '' })))).problem).toBe(
      'missing_field',
    );
  });

  it('rejects a malformed path at construction', () => {
    expect(() => keyByValueField('a..b')).toThrow(TypeError);
    expect(() => keyByHeader('')).toThrow(TypeError);
  });
});

describe('readKey', () => {
  it('wraps a throwing key function and refuses a non-string or empty key', () => {
    const thrown = keyError(() =>
      readKey(
        () => {
          throw new Error('no id');
        },
        at(message(1)),
      ),
    );
    expect(thrown).toMatchObject({ problem: 'invalid_key', offset: '1' });
    expect(thrown.message).toContain('no id');
    expect(keyError(() => readKey(() => '', at(message(1)))).problem).toBe('invalid_key');
    expect(keyError(() => readKey(() => 42 as unknown as string, at(message(1)))).problem).toBe(
      'invalid_key',
    );
  });
});
