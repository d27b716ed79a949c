import { describe, expect, it, vi } from 'vitest';
import {
  type CompleteOptions,
  type DedupStore,
  FingerprintMismatchError,
  InProgressError,
  InvalidKeyError,
  LeaseLostError,
  MemoryStore,
  ResultTooLargeError,
  StoreError,
} from '../src/index.js';
import { bindStore } from '../src/testing/index.js';
import { setup } from './setup.js';

describe('deduper.run', () => {
  it('runs a new key once and skips its redelivery', async () => {
    const { deduper, types } = setup();
    const charge = vi.fn(async () => 'ch_1');
    const first = await deduper.run('evt_1', charge);
    const second = await deduper.run('evt_1', charge);
    expect(first).toMatchObject({
      status: 'processed',
      result: 'ch_1',
      key: 'evt_1',
      storeKey: 'payments#evt_1',
    });
    expect(second).toMatchObject({ status: 'duplicate', result: undefined });
    expect(charge).toHaveBeenCalledTimes(1);
    expect(types()).toEqual(['claimed', 'completed', 'duplicate']);
  });

  it('replays the stored result when storeResult is on', async () => {
    const { deduper } = setup({ storeResult: true });
    await deduper.run('evt_1', () => ({ chargeId: 'ch_1', amount: 100 }));
    const replay = await deduper.run('evt_1', () => ({ chargeId: 'ch_2', amount: 0 }));
    expect(replay).toMatchObject({
      status: 'duplicate',
      result: { chargeId: 'ch_1', amount: 100 },
    });
  });

  it('tells a concurrent copy to retry later and never runs it', async () => {
    const { deduper, clock, types } = setup();
    let release!: () => void;
    const slow = deduper.run('evt_1', () => new Promise<void>((resolve) => (release = resolve)));
    await vi.waitFor(() => expect(types()).toContain('claimed'));
    clock.advance(10_000);
    const copy = vi.fn();
    const error = await deduper.run('evt_1', copy).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InProgressError);
    expect((error as InProgressError).retryAfterMs).toBe(20_000);
    expect((error as InProgressError).key).toBe('evt_1');
    expect(copy).not.toHaveBeenCalled();
    release();
    await expect(slow).resolves.toMatchObject({ status: 'processed' });
  });

  it('releases the key on a handler error and rethrows the same error', async () => {
    const { deduper, types } = setup();
    const boom = new Error('card declined');
    await expect(deduper.run('evt_1', () => Promise.reject(boom))).rejects.toBe(boom);
    expect(types()).toEqual(['claimed', 'released']);
    const retry = await deduper.run('evt_1', () => 'ok');
    expect(retry.status).toBe('processed');
  });

  it('makes a lease takeover visible: the stale worker gets LeaseLostError and a lease_lost event', async () => {
    const { deduper, clock, events } = setup();
    const effects: string[] = [];
    const stale = deduper.run('evt_1', async () => {
      effects.push('first');
      clock.advance(30_001);
      const takeover = await deduper.run('evt_1', () => effects.push('second'));
      expect(takeover.status).toBe('processed');
    });
    const error = await stale.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LeaseLostError);
    expect((error as LeaseLostError).operation).toBe('complete');
    expect(effects).toEqual(['first', 'second']);
    const claims = events.filter((e) => e.type === 'claimed');
    expect(claims.map((e) => e.type === 'claimed' && e.takeover)).toEqual([false, true]);
    const lost = events.find((e) => e.type === 'lease_lost');
    expect(lost).toMatchObject({ key: 'evt_1', operation: 'complete', effectMayRepeat: true });
  });

  it('rejects a duplicate whose payload differs, and accepts the same payload in any key order', async () => {
    const { deduper } = setup({ fingerprint: (input: unknown) => input });
    await deduper.run('evt_1', () => 'ok', { input: { amount: 100, currency: 'EUR' } });
    const same = await deduper.run('evt_1', () => 'again', {
      input: { currency: 'EUR', amount: 100 },
    });
    expect(same.status).toBe('duplicate');
    const error = await deduper
      .run('evt_1', () => 'x', { input: { amount: 999, currency: 'EUR' } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FingerprintMismatchError);
    expect((error as FingerprintMismatchError).record?.status).toBe('COMPLETED');
  });

  it('refuses an oversized result with its size and cap, and still records the effect', async () => {
    const { deduper } = setup({ storeResult: true, maxResultBytes: 100 });
    const handler = vi.fn(() => 'x'.repeat(200));
    const error = await deduper.run('evt_1', handler).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResultTooLargeError);
    expect(error).toMatchObject({ sizeBytes: 202, maxBytes: 100, key: 'evt_1' });
    const again = await deduper.run('evt_1', handler);
    expect(again).toMatchObject({ status: 'duplicate', result: undefined });
    expect(handler).toHaveBeenCalledTimes(1);
  });

  it.each([[''], [undefined], [42], [null]])(
    'rejects the key %j with InvalidKeyError before any work',
    async (key) => {
      const { deduper, events } = setup();
      const handler = vi.fn();
      await expect(deduper.run(key as string, handler)).rejects.toBeInstanceOf(InvalidKeyError);
      expect(handler).not.toHaveBeenCalled();
      expect(events).toEqual([]);
    },
  );

  it('hashes keys over 1 KiB', async () => {
    const { deduper } = setup();
    const outcome = await deduper.run('k'.repeat(2000), () => 1);
    expect(outcome.storeKey).toMatch(/^payments#sha256:[0-9a-f]{64}$/);
  });

  it('turns a failing store into a StoreError with key, operation and cause, and runs nothing', async () => {
    const cause = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    const store = new MemoryStore();
    const failing: DedupStore = {
      ...bindStore(store),
      name: 'flaky',
      claim: () => Promise.reject(cause),
    };
    const { deduper, types } = setup({ store: failing });
    const handler = vi.fn();
    const error = await deduper.run('evt_1', handler).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect(error).toMatchObject({ operation: 'claim', key: 'evt_1', retryable: true, cause });
    expect(handler).not.toHaveBeenCalled();
    expect(types()).toEqual(['store_error']);
  });

  it('does not report success when completion fails in the store', async () => {
    const store = new MemoryStore();
    const complete = vi.fn(() => Promise.reject(new Error('timeout')));
    const failing: DedupStore = { ...bindStore(store), complete };
    const { deduper } = setup({ store: failing });
    await expect(deduper.run('evt_1', () => 'charged')).rejects.toMatchObject({
      name: 'StoreError',
      operation: 'complete',
      key: 'evt_1',
    });
    // Retried (the write is fenced, so a retry is safe), but bounded.
    expect(complete).toHaveBeenCalledTimes(6);
  });

  it('retries a completion that failed with a retryable store error until it lands', async () => {
    const store = new MemoryStore();
    let failures = 2;
    const complete = vi.fn((key: string, token: string, options: CompleteOptions) =>
      failures-- > 0 ? Promise.reject(new Error('throttled')) : store.complete(key, token, options),
    );
    const { deduper, clock } = setup({ store: { ...bindStore(store), complete } });
    await expect(deduper.run('evt_1', () => 'charged')).resolves.toMatchObject({
      status: 'processed',
    });
    expect(complete).toHaveBeenCalledTimes(3);
    expect((await store.get('payments#evt_1', { now: clock.now() }))?.status).toBe('COMPLETED');
  });

  it('does not retry a completion whose error cannot succeed', async () => {
    const store = new MemoryStore();
    const refusal = new StoreError('validation', 'complete', false, {});
    const complete = vi.fn(() => Promise.reject(refusal));
    const { deduper } = setup({ store: { ...bindStore(store), complete } });
    await expect(deduper.run('evt_1', () => 'charged')).rejects.toBe(refusal);
    expect(complete).toHaveBeenCalledTimes(1);
    expect(refusal.key).toBe('evt_1');
  });

  it('answers hot duplicates from the local cache without a store call', async () => {
    const store = new MemoryStore();
    const claim = vi.spyOn(store, 'claim');
    const { deduper } = setup({ store, localCache: { maxEntries: 10 } });
    await deduper.run('evt_1', () => 1);
    await deduper.run('evt_1', () => 2);
    await deduper.run('evt_1', () => 3);
    expect(claim).toHaveBeenCalledTimes(1);
  });

  it('keeps working when an onEvent subscriber throws', async () => {
    const logger = { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() };
    const { deduper } = setup({
      logger,
      onEvent: () => {
        throw new Error('subscriber bug');
      },
    });
    await expect(deduper.run('evt_1', () => 'ok')).resolves.toMatchObject({ status: 'processed' });
    expect(logger.error).toHaveBeenCalled();
  });

  it('wraps a function keyed by its input', async () => {
    const { deduper } = setup();
    const charge = deduper.wrap(
      (order: { id: string }) => order.id,
      async (order) => `charged ${order.id}`,
    );
    expect(await charge({ id: 'o1' })).toMatchObject({ status: 'processed', result: 'charged o1' });
    expect(await charge({ id: 'o1' })).toMatchObject({ status: 'duplicate' });
  });
});

describe('lease extension', () => {
  it('extends the lease on a heartbeat while the handler runs', async () => {
    vi.useFakeTimers();
    try {
      const { deduper, clock, events, store } = setup({ lease: 300, autoExtend: true });
      const run = deduper.run('evt_1', async () => {
        for (let i = 0; i < 4; i++) {
          clock.advance(100);
          await vi.advanceTimersByTimeAsync(100);
        }
        return (await store.get('payments#evt_1', { now: clock.now() }))?.leaseUntil;
      });
      const outcome = await run;
      expect(events.filter((e) => e.type === 'lease_extended').length).toBeGreaterThanOrEqual(3);
      expect(outcome.result).toBeGreaterThan(clock.now());
    } finally {
      vi.useRealTimers();
    }
  });

  it('aborts the handler signal when an extension finds the lease lost', async () => {
    const { deduper, store } = setup();
    let abortedAfterLoss = false;
    const outcome = deduper.run('evt_1', async (context) => {
      expect(context.signal.aborted).toBe(false);
      await store.delete('payments#evt_1');
      await expect(context.extendLease()).rejects.toBeInstanceOf(LeaseLostError);
      abortedAfterLoss = context.signal.aborted;
    });
    await expect(outcome).rejects.toBeInstanceOf(LeaseLostError);
    expect(abortedAfterLoss).toBe(true);
  });
});

describe('transactional mode', () => {
  it('commits effects with the record exactly once, even for concurrent copies', async () => {
    const { deduper } = setup({ transactional: true });
    const ledger: string[] = [];
    const handler = (who: string) => async (context: { addEffect(e: unknown): void }) => {
      context.addEffect(() => ledger.push(who));
      return who;
    };
    const [a, b] = await Promise.all([
      deduper.run('evt_1', handler('a')),
      deduper.run('evt_1', handler('b')),
    ]);
    expect([a.status, b.status].sort()).toEqual(['duplicate', 'processed']);
    expect(ledger).toHaveLength(1);
  });
});
