import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MessageKeyError } from '../src/errors.js';
import { keyReader } from '../src/keys.js';

const values = fc.oneof(
  fc
    .record({ event: fc.record({ id: fc.oneof(fc.string(), fc.integer(), fc.constant(null)) }) })
    .map((v) => Buffer.from(JSON.stringify(v))),
  fc.jsonValue().map((v) => Buffer.from(JSON.stringify(v))),
  fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes)),
  fc.constant(null),
);

function source(value: Buffer | null, headers: Record<string, Buffer | undefined> = {}) {
  return {
    topic: 't',
    partition: 0,
    message: { offset: '7', value, headers, key: null, timestamp: '0', attributes: 0 },
  };
}

describe('Kafka key extraction under arbitrary values', () => {
  it('a value field yields a non-empty string key or a MessageKeyError with the position, never anything else', () => {
    const readKey = keyReader({ field: 'event.id' });
    fc.assert(
      fc.property(values, (value) => {
        let key: unknown;
        try {
          key = readKey(source(value) as never);
        } catch (error) {
          expect(error).toBeInstanceOf(MessageKeyError);
          expect(error).toMatchObject({ topic: 't', partition: 0, offset: '7' });
          return;
        }
        expect(typeof key).toBe('string');
        expect((key as string).length).toBeGreaterThan(0);
      }),
      { numRuns: 200 },
    );
  });

  it('a non-empty header is the key (scoped by topic); a missing or empty one is a MessageKeyError', () => {
    const readKey = keyReader({ header: 'event-id' });
    fc.assert(
      fc.property(fc.option(fc.string(), { nil: undefined }), (header) => {
        const headers = header === undefined ? {} : { 'event-id': Buffer.from(header) };
        const read = () => readKey(source(null, headers) as never);
        if (header === undefined || header.length === 0) {
          expect(read).toThrow(MessageKeyError);
        } else {
          expect(read()).toBe(`t/${header}`); // scoped by topic
        }
      }),
      { numRuns: 200 },
    );
  });
});
