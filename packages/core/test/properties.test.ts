import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  canonicalJson,
  createDeduper,
  fingerprintOf,
  InvalidInputError,
  InvalidKeyError,
  MAX_PLAIN_KEY_BYTES,
  MemoryStore,
  ResultTooLargeError,
  toStoreKey,
} from '../src/index.js';

/** Reorders an object's keys at every depth without changing its meaning. */
function shuffleKeys(value: unknown, flip: boolean): unknown {
  if (Array.isArray(value)) return value.map((item) => shuffleKeys(item, flip));
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value).map(([k, v]) => [k, shuffleKeys(v, !flip)] as const);
  return Object.fromEntries(flip ? entries.reverse() : entries);
}

describe('properties', () => {
  it('any string key maps to a store key within the limit, deterministically', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 3000, unit: 'binary' }), (key) => {
        const storeKey = toStoreKey('ns', key);
        expect(Buffer.byteLength(storeKey, 'utf8')).toBeLessThanOrEqual(MAX_PLAIN_KEY_BYTES);
        expect(toStoreKey('ns', key)).toBe(storeKey);
      }),
    );
    // Hashing 100 keys of up to 3,000 characters: seconds on a busy 2-core machine.
  }, 30_000);

  it('distinct keys never share a store key', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 2000 }),
        fc.string({ minLength: 1, maxLength: 2000 }),
        (a, b) => {
          fc.pre(a !== b);
          expect(toStoreKey('ns', a)).not.toBe(toStoreKey('ns', b));
        },
      ),
    );
  });

  it('anything but a non-empty string is an InvalidKeyError', () => {
    const notAKey = fc.oneof(
      fc.constant(''),
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.constant(undefined),
      fc.object(),
      fc.array(fc.string()),
    );
    fc.assert(
      fc.property(notAKey, (key) => {
        expect(() => toStoreKey('ns', key)).toThrow(InvalidKeyError);
      }),
    );
  });

  it('fingerprints ignore key order and tell different JSON values apart', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.boolean(), (value, flip) => {
        expect(fingerprintOf(shuffleKeys(value, flip))).toBe(fingerprintOf(value));
      }),
    );
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), (a, b) => {
        fc.pre(canonicalJson(a) !== canonicalJson(b));
        expect(fingerprintOf(a)).not.toBe(fingerprintOf(b));
      }),
    );
  });

  it('a fingerprint picker that throws on bad input is an InvalidInputError, and nothing is claimed', async () => {
    const store = new MemoryStore();
    const deduper = createDeduper<unknown>({
      store,
      namespace: 'ns',
      fingerprint: (input) => (input as { body: { amount: number } }).body.amount,
    });
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.constant(undefined), fc.constant(null), fc.string(), fc.integer()),
        async (input) => {
          await expect(deduper.run('k', () => 1, { input })).rejects.toBeInstanceOf(
            InvalidInputError,
          );
          expect(store.size).toBe(0);
        },
      ),
      { numRuns: 50 },
    );
  });

  it('results over the cap are refused with their size, results under it round-trip', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ maxLength: 400, unit: 'grapheme' }),
        fc.uuid(),
        async (text, key) => {
          const deduper = createDeduper({
            store: new MemoryStore(),
            namespace: 'ns',
            storeResult: true,
            maxResultBytes: 256,
          });
          const size = Buffer.byteLength(JSON.stringify(text), 'utf8');
          const first = deduper.run(key, () => text);
          if (size > 256) {
            const error = await first.catch((e: unknown) => e);
            expect(error).toBeInstanceOf(ResultTooLargeError);
            expect((error as ResultTooLargeError).sizeBytes).toBe(size);
          } else {
            await first;
            expect((await deduper.run(key, () => 'other')).result).toBe(text);
          }
        },
      ),
      { numRuns: 100 },
    );
  });
});
