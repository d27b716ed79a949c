import { describe, expect, it } from 'vitest';
import {
  createDeduper,
  type DedupStore,
  MemoryStore,
  StoreError,
  type Watermark,
  type WatermarkStore,
} from '../src/index.js';
import { bindStore, spyStore, spyWatermarkStore } from '../src/testing/index.js';

const claimOptions = { leaseMs: 1_000, ttlMs: 60_000, now: 0 };

/** A watermark store on a Map, enough to see what the spy passes through. */
function mapWatermarks(): WatermarkStore {
  const marks = new Map<string, Watermark>();
  return {
    name: 'map',
    read: async (key) => marks.get(key),
    advance: async (key, update) => {
      marks.set(key, { offset: update.offset, owner: update.owner, updatedAt: update.now });
      return { advanced: true };
    },
    delete: async (key) => {
      marks.delete(key);
    },
  };
}

describe('bindStore', () => {
  it('gives the single operations as own bound properties, so one can be replaced', async () => {
    const inner = new MemoryStore();
    const cause = new Error('throttled');
    const failing: DedupStore = { ...bindStore(inner), claim: () => Promise.reject(cause) };
    await expect(failing.claim('k', claimOptions)).rejects.toBe(cause);
    // The others still reach the store they were bound to.
    const claimed = await inner.claim('k', claimOptions);
    expect(await failing.get('k', { now: 0 })).toEqual(
      claimed.kind === 'claimed' ? claimed.record : undefined,
    );
  });

  it('leaves out the batch operations and declared limits, so the deduper uses the single calls', () => {
    const bound = bindStore(Object.assign(new MemoryStore(), { maxResultBytes: 10 }));
    expect(Object.keys(bound).sort()).toEqual(
      ['claim', 'commit', 'complete', 'delete', 'extendLease', 'get', 'name', 'release'].sort(),
    );
  });
});

describe('spyStore', () => {
  it('counts calls per operation, batch operations included, with writes and reads', async () => {
    const spy = spyStore(new MemoryStore());
    const deduper = createDeduper({ store: spy.store, namespace: 'ns' });
    await Promise.all(['a', 'b', 'c'].map((key) => deduper.run(key, () => key)));
    await deduper.run('solo', () => 1);
    await spy.store.get('ns#a', { now: Date.now() });
    expect(spy.calls).toEqual({ claimMany: 1, completeMany: 1, claim: 1, complete: 1, get: 1 });
    expect([spy.total, spy.writes, spy.reads]).toEqual([5, 4, 1]);
    spy.reset();
    expect([spy.calls, spy.total]).toEqual([{}, 0]);
  });

  it('with batch: false hides the batch operations, so every call is counted singly', async () => {
    const spy = spyStore(new MemoryStore(), { batch: false });
    expect(spy.store.claimMany).toBeUndefined();
    const deduper = createDeduper({ store: spy.store, namespace: 'ns' });
    await Promise.all(['a', 'b', 'c'].map((key) => deduper.run(key, () => key)));
    expect(spy.calls).toEqual({ claim: 3, complete: 3 });
  });

  it('passes on what the store declares and nothing it lacks', () => {
    const store: DedupStore = { ...bindStore(new MemoryStore()), maxResultBytes: 100 };
    const { commit: _commit, ...withoutCommit } = store;
    expect(spyStore(store).store.maxResultBytes).toBe(100);
    expect(spyStore(withoutCommit).store.commit).toBeUndefined();
    expect(spyStore(store).store.name).toBe('memory');
  });

  it('fails an operation on demand, as the deduper sees a store outage, until healed', async () => {
    const spy = spyStore(new MemoryStore());
    const deduper = createDeduper({ store: spy.store, namespace: 'ns' });
    spy.fail('claim');
    const error = await deduper.run('k', () => 1).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect(error).toMatchObject({ operation: 'claim', cause: { message: /claim failed/ } });
    expect(spy.calls).toEqual({ claim: 1 });
    spy.heal('claim');
    await expect(deduper.run('k', () => 1)).resolves.toMatchObject({ status: 'processed' });
  });

  it('fails every operation when none is named, with the given error', async () => {
    const spy = spyStore(new MemoryStore());
    const down = new Error('connection refused');
    spy.fail(undefined, down);
    await expect(spy.store.get('k', { now: 0 })).rejects.toBe(down);
    await expect(spy.store.claimMany?.([{ key: 'k', ...claimOptions }])).rejects.toBe(down);
    spy.heal();
    await expect(spy.store.get('k', { now: 0 })).resolves.toBeUndefined();
  });

  it('stalls an operation until released, then lets the held call reach the store', async () => {
    const inner = new MemoryStore();
    const spy = spyStore(inner);
    const stall = spy.stall('claim');
    const pending = spy.store.claim('k', claimOptions);
    await stall.reached;
    expect(await inner.get('k', { now: 0 })).toBeUndefined();
    stall.release();
    expect((await pending).kind).toBe('claimed');
    // Released for good: a later call does not wait.
    expect((await spy.store.claim('k2', claimOptions)).kind).toBe('claimed');
  });

  it('heal lets stalled calls go on', async () => {
    const spy = spyStore(new MemoryStore());
    spy.stall('get');
    const pending = spy.store.get('k', { now: 0 });
    spy.heal();
    await expect(pending).resolves.toBeUndefined();
  });
});

describe('spyWatermarkStore', () => {
  it('counts read, advance and delete, and fails one on demand', async () => {
    const spy = spyWatermarkStore(mapWatermarks());
    await spy.store.read('p');
    await spy.store.advance('p', { offset: '4', owner: 'me', now: 1 });
    expect(await spy.store.read('p')).toMatchObject({ offset: '4' });
    expect(spy.calls).toEqual({ read: 2, advance: 1 });
    expect([spy.writes, spy.reads]).toEqual([1, 2]);
    spy.fail('advance');
    await expect(spy.store.advance('p', { offset: '5', owner: 'me', now: 2 })).rejects.toThrow(
      'map: advance failed (injected)',
    );
    await expect(spy.store.read('p')).resolves.toMatchObject({ offset: '4' });
  });
});
