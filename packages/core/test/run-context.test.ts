import { describe, expect, it } from 'vitest';
import { createDeduper, LeaseLostError, ManualClock, MemoryStore } from '../src/index.js';

function setup(transactional = false) {
  const store = new MemoryStore();
  const deduper = createDeduper({
    store,
    namespace: 'payments',
    clock: new ManualClock(),
    transactional,
  });
  return { store, deduper };
}

describe('run context (made lazily)', () => {
  it('gives an already aborted signal when first read after the lease was lost', async () => {
    const { deduper, store } = setup();
    let aborted: boolean | undefined;
    const outcome = deduper.run('evt_1', async (context) => {
      await store.delete('payments#evt_1');
      await expect(context.extendLease()).rejects.toBeInstanceOf(LeaseLostError);
      aborted = context.signal.aborted;
    });
    await expect(outcome).rejects.toBeInstanceOf(LeaseLostError);
    expect(aborted).toBe(true);
  });

  it('gives the same signal on every read', async () => {
    const { deduper } = setup();
    await deduper.run('evt_1', (context) => {
      expect(context.signal).toBe(context.signal);
      expect(context.signal.aborted).toBe(false);
    });
  });

  it('keeps extendLease and addEffect working when destructured', async () => {
    const { deduper } = setup();
    let addEffectError: unknown;
    const outcome = await deduper.run('evt_1', async ({ extendLease, addEffect, key, token }) => {
      await extendLease(5_000);
      try {
        addEffect(() => undefined);
      } catch (error) {
        addEffectError = error;
      }
      return { key, token };
    });
    expect(outcome.status).toBe('processed');
    expect(outcome.result).toEqual({ key: 'evt_1', token: expect.any(String) });
    expect(addEffectError).toBeInstanceOf(TypeError);
  });

  it('gives a transactional run a signal that is never aborted', async () => {
    const { deduper } = setup(true);
    const outcome = await deduper.run('evt_1', (context) => context.signal.aborted);
    expect(outcome).toMatchObject({ status: 'processed', result: false });
  });
});
