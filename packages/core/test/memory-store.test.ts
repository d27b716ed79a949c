import { describeStoreConformance } from '@oncely/core/testing';
import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../src/index.js';

describeStoreConformance('MemoryStore', () => ({ store: new MemoryStore() }), {
  batch: true,
  transactional: true,
  // The hook a store's own cases use: they run inside the suite, on the store it made.
  extraTests: (store) => {
    it('hands extra tests the store under test', async () => {
      expect(store()).toBeInstanceOf(MemoryStore);
      await store().claim('extra', { leaseMs: 10, ttlMs: 1000, now: 0 });
      expect((await store().get('extra', { now: 1 }))?.status).toBe('IN_PROGRESS');
    });
  },
});

describe('MemoryStore memory bound', () => {
  it('sweeps expired records so memory follows the live set', async () => {
    const store = new MemoryStore({ sweepEvery: 100 });
    for (let i = 0; i < 1000; i++) {
      const outcome = await store.claim(`k${i}`, { leaseMs: 10, ttlMs: 1000, now: i * 1000 });
      if (outcome.kind === 'claimed')
        await store.complete(`k${i}`, outcome.token, { ttlMs: 1000, now: i * 1000 });
    }
    expect(store.size).toBeLessThanOrEqual(101);
    store.sweep(10_000_000);
    expect(store.size).toBe(0);
  });

  it('commits effects only when the record commits', async () => {
    const store = new MemoryStore();
    const ledger: string[] = [];
    const first = await store.commit('k', {
      ttlMs: 1000,
      now: 0,
      effects: [() => ledger.push('a')],
    });
    const second = await store.commit('k', {
      ttlMs: 1000,
      now: 1,
      effects: [() => ledger.push('b')],
    });
    expect([first.kind, second.kind]).toEqual(['committed', 'duplicate']);
    expect(ledger).toEqual(['a']);
  });
});
