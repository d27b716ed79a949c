import { InvalidInputError, InvalidOptionError, KeyReadError } from '@oncely/core';
import { parseFieldPath, readFieldPath } from '@oncely/core/adapter';
import type { SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { MessageBodyError, MessageKeyError } from '../src/index.js';
import { keyPicker, type MessageKey } from '../src/key.js';
import { fromLambdaRecord } from '../src/message.js';
import { record } from './fixtures.js';

const pick = (option: Parameters<typeof keyPicker<SQSRecord>>[0], message: SQSRecord) =>
  keyPicker<SQSRecord>(option)(fromLambdaRecord(message));

describe('JSON paths', () => {
  it('parses dotted paths, a leading $. and array indices', () => {
    expect(parseFieldPath('detail.id')).toEqual(['detail', 'id']);
    expect(parseFieldPath('$.order.id')).toEqual(['order', 'id']);
    expect(parseFieldPath('items[0].sku')).toEqual(['items', 0, 'sku']);
    expect(parseFieldPath('matrix[1][2]')).toEqual(['matrix', 1, 2]);
  });

  it('rejects malformed paths', () => {
    for (const bad of ['', '$.', 'a..b', 'a.', '[x]', 'a[-1]', 'a]b']) {
      expect(parseFieldPath(bad), bad).toBeUndefined();
    }
  });

  it('reads only own fields, indices only on arrays', () => {
    const value = { order: { id: 7, items: [{ sku: 'a' }] } };
    expect(readFieldPath(value, ['order', 'items', 0, 'sku'])).toBe('a');
    expect(readFieldPath(value, ['order', 'items', 'length'])).toBeUndefined();
    expect(readFieldPath(value, ['order', 'constructor'])).toBeUndefined();
    expect(readFieldPath(value, ['order', 0])).toBeUndefined();
    expect(readFieldPath(value, ['missing', 'id'])).toBeUndefined();
  });
});

describe('message keys', () => {
  it('defaults to the message ID', () => {
    expect(pick(undefined, record('m-1'))).toBe('m-1');
  });

  it('reads a body field; numbers become strings', () => {
    const message = record('m-1', { body: JSON.stringify({ detail: { id: 'evt-9' }, n: 42 }) });
    expect(pick({ field: 'detail.id' }, message)).toBe('evt-9');
    expect(pick({ field: '$.n' }, message)).toBe('42');
  });

  it('reads a message attribute and the FIFO deduplication ID', () => {
    const message = record('m-1', {
      groupId: 'g',
      deduplicationId: 'dedup-1',
      attributes: { eventId: { stringValue: 'evt-3', dataType: 'String' } },
    });
    expect(pick({ attribute: 'eventId' }, message)).toBe('evt-3');
    expect(pick('deduplicationId', message)).toBe('dedup-1');
  });

  it('calls a key function with the raw record', () => {
    expect(pick((raw) => `${raw.messageId}:x`, record('m-1'))).toBe('m-1:x');
  });

  it('a body that is not JSON is a MessageBodyError with the message ID', () => {
    const error = catchError(() => pick({ field: 'id' }, record('m-1', { body: 'not json' })));
    expect(error).toBeInstanceOf(MessageBodyError);
    expect(error).toBeInstanceOf(KeyReadError);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error).toMatchObject({
      messageId: 'm-1',
      source: 'body field id',
      reason: 'unparseable_body',
    });
    expect((error as Error).cause).toBeInstanceOf(SyntaxError);
  });

  it('a missing, empty or non-scalar field is a MessageKeyError naming the source', () => {
    const cases: [string, string][] = [
      ['{}', 'missing'],
      ['{"id":""}', 'empty'],
      ['{"id":"  "}', 'empty'],
      ['{"id":null}', 'null'],
      ['{"id":{"a":1}}', 'a object'],
      ['{"id":[1]}', 'an array'],
      ['{"id":true}', 'a boolean'],
    ];
    for (const [body, reason] of cases) {
      const error = catchError(() => pick({ field: 'id' }, record('m-2', { body })));
      expect(error, body).toBeInstanceOf(MessageKeyError);
      expect(error, body).toBeInstanceOf(KeyReadError);
      expect(error, body).toBeInstanceOf(InvalidInputError);
      expect(error, body).toMatchObject({ messageId: 'm-2', source: 'body field id' });
      expect((error as Error).message, body).toContain(reason);
    }
  });

  it('a missing attribute, a binary attribute and a bad key function are MessageKeyErrors', () => {
    const binary = record('m-3', { attributes: { eventId: { dataType: 'Binary' } } });
    expect(catchError(() => pick({ attribute: 'eventId' }, record('m-3')))).toBeInstanceOf(
      MessageKeyError,
    );
    expect(catchError(() => pick({ attribute: 'eventId' }, binary))).toBeInstanceOf(
      MessageKeyError,
    );
    expect(catchError(() => pick('deduplicationId', record('m-3')))).toBeInstanceOf(
      MessageKeyError,
    );
    const thrown = catchError(() =>
      pick(() => {
        throw new Error('boom');
      }, record('m-3')),
    );
    expect(thrown).toBeInstanceOf(MessageKeyError);
    expect((thrown as Error).cause).toMatchObject({ message: 'boom' });
    expect(catchError(() => pick(() => 5 as unknown as string, record('m-3')))).toBeInstanceOf(
      MessageKeyError,
    );
  });

  it('rejects a bad key option at construction', () => {
    for (const bad of [
      { field: 'a..b' },
      { attribute: '' },
      'id',
      42,
      {},
      { field: 'a', attribute: 'b' },
    ]) {
      const error = catchError(() => keyPicker(bad as never));
      expect(error, String(bad)).toBeInstanceOf(InvalidOptionError);
      expect(error, String(bad)).toMatchObject({ option: 'key' });
    }
  });

  it('shows a misspelled key option as it was given', () => {
    const error = catchError(() => keyPicker({ bodyFeild: 'id' } as never)) as Error;
    expect(error.message).toContain('got {"bodyFeild":"id"}');
    expect(error.message).toContain(
      "expected 'messageId', 'deduplicationId', { field }, { attribute } or a function",
    );
    expect((catchError(() => keyPicker({ field: 'a..b' })) as Error).message).toContain(
      'got { field: "a..b" }',
    );
  });

  it('refuses the spellings before 1.0, naming the new one', () => {
    const body = catchError(() => keyPicker({ bodyField: 'detail.id' } as never)) as Error;
    expect(body).toBeInstanceOf(InvalidOptionError);
    expect(body.message).toContain('{ bodyField } is now { field }');
    expect(body.message).toContain('write { field: "detail.id" }');
    const attribute = catchError(() =>
      keyPicker({ messageAttribute: 'eventId' } as never),
    ) as Error;
    expect(attribute).toBeInstanceOf(InvalidOptionError);
    expect(attribute.message).toContain('{ messageAttribute } is now { attribute }');
  });
});

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

describe('the key option type', () => {
  it('takes exactly one of field and attribute', () => {
    const allowed: MessageKey<SQSRecord>[] = [
      'messageId',
      'deduplicationId',
      { field: 'detail.id' },
      { attribute: 'eventId' },
      (raw) => raw.messageId,
    ];
    // @ts-expect-error: `field` and `attribute` together do not type-check
    const both: MessageKey<SQSRecord> = { field: 'id', attribute: 'eventId' };
    // @ts-expect-error: the spelling before 1.0 does not type-check
    const old: MessageKey<SQSRecord> = { bodyField: 'id' };
    expect(allowed).toHaveLength(5);
    expect(() => keyPicker(both)).toThrow(InvalidOptionError);
    expect(() => keyPicker(old)).toThrow(InvalidOptionError);
  });
});
