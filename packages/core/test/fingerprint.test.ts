import { describe, expect, it } from 'vitest';
import { canonicalJson, fingerprintOf, toStoreKey } from '../src/index.js';

describe('canonical fingerprints', () => {
  it('sorts keys at every depth and drops undefined members', () => {
    expect(canonicalJson({ b: 1, a: [2, { d: 3, c: 4 }], u: undefined })).toBe(
      '{"a":[2,{"c":4,"d":3}],"b":1}',
    );
    expect(fingerprintOf({ x: 1, y: { b: 2, a: 1 } })).toBe(
      fingerprintOf({ y: { a: 1, b: 2 }, x: 1 }),
    );
  });

  it('tells different payloads apart', () => {
    expect(fingerprintOf({ amount: 100 })).not.toBe(fingerprintOf({ amount: 101 }));
    expect(fingerprintOf([1, 2])).not.toBe(fingerprintOf([2, 1]));
    expect(fingerprintOf('1')).not.toBe(fingerprintOf(1));
  });

  it('uses toJSON (dates) and refuses values with no stable JSON', () => {
    expect(canonicalJson({ at: new Date(0) })).toBe('{"at":"1970-01-01T00:00:00.000Z"}');
    expect(() => canonicalJson(Number.NaN)).toThrow(TypeError);
    expect(() => canonicalJson(10n)).toThrow(TypeError);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => canonicalJson(cyclic)).toThrow('cyclic');
  });
});

describe('store keys', () => {
  it('namespaces keys and hashes only what is over 1 KiB in UTF-8', () => {
    expect(toStoreKey('ns', 'evt_1')).toBe('ns#evt_1');
    const fits = 'é'.repeat(500); // 1000 bytes + 'ns#'
    expect(toStoreKey('ns', fits)).toBe(`ns#${fits}`);
    expect(toStoreKey('ns', 'é'.repeat(600))).toMatch(/^ns#sha256:[0-9a-f]{64}$/);
    expect(toStoreKey('ns', 'é'.repeat(600))).toBe(toStoreKey('ns', 'é'.repeat(600)));
  });
});
