import { describe, expect, it, vi } from 'vitest';
import { type ClaimItem, MemoryStore, StoreError } from '../src/index.js';
import { setup } from './setup.js';

/** A MemoryStore whose operations, single and batch, are spied on. */
function spiedStore() {
  const store = new MemoryStore();
  return {
    store,
    claim: vi.spyOn(store, 'claim'),
    claimMany: vi.spyOn(store, 'claimMany'),
    complete: vi.spyOn(store, 'complete'),
    completeMany: vi.spyOn(store, 'completeMany'),
    releaseMany: vi.spyOn(store, 'releaseMany'),
  };
}

const sizes = (spy: { mock: { calls: unknown[][] } }) =>
  spy.mock.calls.map((call) => (call[0] as unknown[]).length);

describe('batching', () => {
  it('sends the claims and completions of runs started together as one batch each', async () => {
    const spies = spiedStore();
    const { deduper } = setup({ store: spies.store });
    const keys = Array.from({ length: 10 }, (_, index) => `evt_${index}`);
    const outcomes = await Promise.all(keys.map((key) => deduper.run(key, () => key)));
    expect(outcomes.map((outcome) => outcome.status)).toEqual(keys.map(() => 'processed'));
    expect(sizes(spies.claimMany)).toEqual([10]);
    expect(sizes(spies.completeMany)).toEqual([10]);
    expect(spies.claim).toHaveBeenCalledTimes(10); // MemoryStore.claimMany claims one by one
    const again = await Promise.all(keys.map((key) => deduper.run(key, () => 'again')));
    expect(again.map((outcome) => outcome.status)).toEqual(keys.map(() => 'duplicate'));
    expect(sizes(spies.claimMany)).toEqual([10, 10]);
  });

  it('sends a lone run as single calls', async () => {
    const spies = spiedStore();
    const { deduper } = setup({ store: spies.store });
    await deduper.run('evt_1', () => 1);
    expect(spies.claimMany).not.toHaveBeenCalled();
    expect(spies.completeMany).not.toHaveBeenCalled();
    expect(spies.complete).toHaveBeenCalledTimes(1);
  });

  it('sends single calls when batching is off', async () => {
    const spies = spiedStore();
    const { deduper } = setup({ store: spies.store, batching: false });
    await Promise.all(['a', 'b', 'c'].map((key) => deduper.run(key, () => key)));
    expect(spies.claimMany).not.toHaveBeenCalled();
    expect(spies.claim).toHaveBeenCalledTimes(3);
  });

  it('splits batches at maxItems', async () => {
    const spies = spiedStore();
    const { deduper } = setup({ store: spies.store, batching: { maxItems: 4 } });
    const keys = Array.from({ length: 10 }, (_, index) => `evt_${index}`);
    await Promise.all(keys.map((key) => deduper.run(key, () => key)));
    expect(sizes(spies.claimMany)).toEqual([4, 4, 2]);
  });

  it('completes a finished run without waiting for a slow sibling', async () => {
    const spies = spiedStore();
    const { deduper, clock } = setup({ store: spies.store });
    let finishSlow!: () => void;
    const slowDone = new Promise<void>((resolve) => {
      finishSlow = resolve;
    });
    const fast = deduper.run('fast', () => 'fast');
    const slow = deduper.run('slow', () => slowDone.then(() => 'slow'));
    await expect(fast).resolves.toMatchObject({ status: 'processed' });
    // The slow handler is still running, and the fast one's record is already COMPLETED.
    expect((await spies.store.get('payments#fast', { now: clock.now() }))?.status).toBe(
      'COMPLETED',
    );
    expect((await spies.store.get('payments#slow', { now: clock.now() }))?.status).toBe(
      'IN_PROGRESS',
    );
    finishSlow();
    await expect(slow).resolves.toMatchObject({ status: 'processed' });
  });

  it('fails only the item a batch rejected, with its key', async () => {
    const spies = spiedStore();
    const cause = new StoreError('throttled statement', 'claim', false, { storeKey: 'payments#b' });
    spies.claimMany.mockImplementation(async (items: readonly ClaimItem[]) => {
      const results = await MemoryStore.prototype.claimMany.call(spies.store, items);
      return results.map((result, index) =>
        items[index]?.key === 'payments#b' ? { status: 'rejected', reason: cause } : result,
      );
    });
    const { deduper } = setup({ store: spies.store });
    const handler = vi.fn(() => 'done');
    const outcomes = await Promise.allSettled(
      ['a', 'b', 'c'].map((key) => deduper.run(key, handler)),
    );
    expect(outcomes.map((outcome) => outcome.status)).toEqual([
      'fulfilled',
      'rejected',
      'fulfilled',
    ]);
    expect(outcomes[1]).toMatchObject({
      reason: { name: 'StoreError', key: 'b', storeKey: 'payments#b' },
    });
    expect(handler).toHaveBeenCalledTimes(2);
  });

  it('fails every run of a batch whose request failed, each with its own key, running nothing', async () => {
    const spies = spiedStore();
    spies.claimMany.mockRejectedValue(new Error('socket hang up'));
    const { deduper } = setup({ store: spies.store });
    const handler = vi.fn();
    const outcomes = await Promise.allSettled(['a', 'b'].map((key) => deduper.run(key, handler)));
    expect(outcomes).toMatchObject([
      { status: 'rejected', reason: { name: 'StoreError', key: 'a', retryable: true } },
      { status: 'rejected', reason: { name: 'StoreError', key: 'b', retryable: true } },
    ]);
    expect(handler).not.toHaveBeenCalled();
  });

  it('releases the claims of failed handlers in one batch', async () => {
    const spies = spiedStore();
    const { deduper } = setup({ store: spies.store });
    const failing = () => {
      throw new Error('handler failed');
    };
    await Promise.allSettled(['a', 'b', 'c'].map((key) => deduper.run(key, failing)));
    expect(sizes(spies.releaseMany)).toEqual([3]);
    expect(spies.store.size).toBe(0);
  });

  it('keeps coalescing while a test fakes the timers', async () => {
    vi.useFakeTimers();
    try {
      const spies = spiedStore();
      const { deduper } = setup({ store: spies.store });
      const outcomes = await Promise.all(['a', 'b'].map((key) => deduper.run(key, () => key)));
      expect(outcomes.map((outcome) => outcome.status)).toEqual(['processed', 'processed']);
      expect(sizes(spies.claimMany)).toEqual([2]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('refuses bad batching options by name', () => {
    expect(() => setup({ batching: { maxItems: 0 } })).toThrow(/`batching`.*maxItems/);
    expect(() => setup({ batching: { waitMs: -1 } })).toThrow(/`batching`.*waitMs/);
  });

  it('rejects every caller when a store batch call throws synchronously', async () => {
    const spies = spiedStore();
    spies.claimMany.mockImplementation(() => {
      throw new Error('store bug');
    });
    const { deduper } = setup({ store: spies.store });
    const outcomes = await Promise.allSettled(
      ['a', 'b', 'c'].map((key) => deduper.run(key, vi.fn())),
    );
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(outcomes.map((outcome) => (outcome as PromiseRejectedResult).reason.key)).toEqual([
      'a',
      'b',
      'c',
    ]);
  });

  it("names each caller's own key when a whole batch fails with one store error", async () => {
    const spies = spiedStore();
    const shared = new StoreError('request timed out', 'claim', true, { storeKey: 'payments#a' });
    spies.claimMany.mockRejectedValue(shared);
    const { deduper } = setup({ store: spies.store });
    const outcomes = await Promise.allSettled(['a', 'b'].map((key) => deduper.run(key, vi.fn())));
    expect(outcomes).toMatchObject([
      { reason: { key: 'a', storeKey: 'payments#a', retryable: true } },
      { reason: { key: 'b', storeKey: 'payments#b', retryable: true, cause: shared } },
    ]);
  });
});

describe('claims taken ahead', () => {
  it('extends a claim that waited past half its lease before its handler runs', async () => {
    const spies = spiedStore();
    const extend = vi.spyOn(spies.store, 'extendLease');
    const { deduper, clock } = setup({ store: spies.store });
    const claimed = await deduper.claim('evt_1');
    if (claimed.status !== 'ready') throw new Error('expected a ready claim');
    clock.advance(20_000); // of a 30 s lease
    await expect(claimed.run(() => 'ran')).resolves.toMatchObject({ status: 'processed' });
    expect(extend).toHaveBeenCalledTimes(1);
  });

  it('never runs a claim taken ahead whose lease ended and was taken over', async () => {
    const spies = spiedStore();
    const { deduper, clock } = setup({ store: spies.store });
    const claimed = await deduper.claim('evt_1');
    if (claimed.status !== 'ready') throw new Error('expected a ready claim');
    clock.advance(31_000);
    const other = await deduper.claim('evt_1'); // another delivery takes the expired lease over
    expect(other.status).toBe('ready');
    const handler = vi.fn();
    await expect(claimed.run(handler)).rejects.toMatchObject({ name: 'LeaseLostError' });
    expect(handler).not.toHaveBeenCalled();
    expect((await spies.store.get('payments#evt_1', { now: clock.now() }))?.status).toBe(
      'IN_PROGRESS',
    );
  });
});
