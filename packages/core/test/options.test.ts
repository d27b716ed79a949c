import { describe, expect, it } from 'vitest';
import { createDeduper, InvalidOptionError, MemoryStore, parseDuration } from '../src/index.js';

const store = new MemoryStore();

describe('deduper options are validated at construction', () => {
  it.each([
    ['store', { store: {} }],
    ['namespace', { namespace: '' }],
    ['ttl', { ttl: 'forever' }],
    ['ttl', { ttl: -1 }],
    ['lease', { lease: 0 }],
    ['ttl', { ttl: '10s', lease: '1m' }],
    ['fingerprint', { fingerprint: 'body' }],
    ['onEvent', { onEvent: 42 }],
    ['maxResultBytes', { maxResultBytes: 1.5 }],
    ['serializer', { serializer: { serialize: 1 } }],
    ['localCache', { localCache: { maxEntries: 0 } }],
    ['autoExtend', { autoExtend: { fraction: 1 } }],
  ])('names `%s` when it is bad', (option, bad) => {
    const build = () => createDeduper({ store, namespace: 'ns', ...(bad as object) } as never);
    expect(build).toThrow(InvalidOptionError);
    expect(build).toThrow(`\`${option}\``);
  });

  it('refuses transactional mode on a store without commit()', () => {
    const noCommit = {
      ...store,
      name: 'plain',
      claim: store.claim,
      complete: store.complete,
      commit: undefined,
    };
    expect(() =>
      createDeduper({ store: noCommit as never, namespace: 'ns', transactional: true }),
    ).toThrow('`transactional`');
  });

  it('accepts durations as numbers or strings', () => {
    const deduper = createDeduper({ store, namespace: 'ns', ttl: '7d', lease: '90s' });
    expect(deduper.ttlMs).toBe(7 * 86_400_000);
    expect(deduper.leaseMs).toBe(90_000);
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('1.5h')).toBe(5_400_000);
    expect(parseDuration('5 minutes')).toBeUndefined();
  });

  it('rejects a bad per-run lease', async () => {
    const deduper = createDeduper({ store, namespace: 'ns' });
    await expect(deduper.run('k', () => 1, { leaseMs: Number.NaN })).rejects.toThrow('`leaseMs`');
  });
});
