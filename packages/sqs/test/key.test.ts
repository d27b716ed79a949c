import { InvalidInputError, InvalidOptionError, KeyReadError } from '@oncely/core';
import { parseFieldPath, readFieldPath } from '@oncely/core/adapter';
import type { SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { MessageBodyError, MessageKeyError } from '../src/index.js';
import { keyPicker } from '../src/key.js';
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
    expect(pick({ bodyField: 'detail.id' }, message)).toBe('evt-9');
    expect(pick({ bodyField: '$.n' }, message)).toBe('42');
  });

  it('reads a message attribute and the FIFO deduplication ID', () => {
    const message = record('m-1', {
      groupId: 'g',
      deduplicationId: 'dedup-1',
      attributes: { eventId: { stringValue: 'evt-3', dataType: 'String' } },
    });
    expect(pick({ messageAttribute: 'eventId' }, message)).toBe('evt-3');
    expect(pick('deduplicationId', message)).toBe('dedup-1');
  });

  it('calls a key function with the raw record', () => {
    expect(pick((raw) => `${raw.messageId}:x`, record('m-1'))).toBe('m-1:x');
  });

  it('a body that is not JSON is a MessageBodyError with the message ID', () => {
    const error = catchError(() => pick({ bodyField: 'id' }, record('m-1', { body: 'not json' })));
    expect(error).toBeInstanceOf(MessageBodyError);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error).toMatchObject({ messageId: 'm-1' });
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
      const error = catchError(() => pick({ bodyField: 'id' }, record('m-2', { body })));
      expect(error, body).toBeInstanceOf(MessageKeyError);
      expect(error, body).toBeInstanceOf(KeyReadError);
      expect(error, body).toBeInstanceOf(InvalidInputError);
      expect(error, body).toMatchObject({ messageId: 'm-2', source: 'body field id' });
      expect((error as Error).message, body).toContain(reason);
    }
  });

  it('a missing attribute, a binary attribute and a bad key function are MessageKeyErrors', () => {
    const binary = record('m-3', { attributes: { eventId: { dataType: 'Binary' } } });
    expect(catchError(() => pick({ messageAttribute: 'eventId' }, record('m-3')))).toBeInstanceOf(
      MessageKeyError,
    );
    expect(catchError(() => pick({ messageAttribute: 'eventId' }, binary))).toBeInstanceOf(
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
    for (const bad of [{ bodyField: 'a..b' }, { messageAttribute: '' }, 'id', 42, {}]) {
      const error = catchError(() => keyPicker(bad as never));
      expect(error, String(bad)).toBeInstanceOf(InvalidOptionError);
      expect(error, String(bad)).toMatchObject({ option: 'key' });
    }
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
