import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { kraftClusterId } from './cluster-id.js';

/**
 * What `StorageTool format -t` takes: 16 bytes as 22 base64url characters, not
 * starting with '-' (the option parser would read it as an option and fail with
 * "--cluster-id: expected one argument").
 */
function expectValid(id: string): void {
  expect(id).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
  const bytes = Buffer.from(id, 'base64url');
  expect(bytes.byteLength).toBe(16);
  expect(bytes.toString('base64url')).toBe(id);
}

/** A random source that hands out `forced` first, then real random bytes. */
function forcing(...forced: Buffer[]) {
  let calls = 0;
  const random = (size: number) => {
    calls += 1;
    return forced.shift() ?? randomBytes(size);
  };
  return { random, calls: () => calls };
}

describe('kraftClusterId', () => {
  it('makes valid IDs, many times over', () => {
    // A leading '-' comes once in 64 IDs; 5,000 draws meet it about 78 times.
    const ids = Array.from({ length: 5_000 }, () => kraftClusterId());
    for (const id of ids) expectValid(id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("draws again when the bytes' base64url form starts with '-'", () => {
    // 0xf8 is 111110xx: its first six bits are 62, base64url's '-'.
    const dashed = Buffer.concat([Buffer.from([0xf8]), randomBytes(15)]);
    expect(dashed.toString('base64url').startsWith('-')).toBe(true);
    const source = forcing(dashed);
    const id = kraftClusterId(source.random);
    expectValid(id);
    expect(source.calls()).toBe(2);
  });

  it('draws again for the IDs Kafka reserves (all zero, and the metadata topic 0…01)', () => {
    const metadataTopic = Buffer.alloc(16);
    metadataTopic[15] = 1;
    const source = forcing(Buffer.alloc(16), metadataTopic);
    const id = kraftClusterId(source.random);
    expectValid(id);
    expect(source.calls()).toBe(3);
  });
});
