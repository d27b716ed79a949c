import { describe, expect, it, vi } from 'vitest';
import { InProgressError, type ReadyRun } from '../src/index.js';
import { setup } from './setup.js';

function ready(claim: Awaited<ReturnType<ReturnType<typeof setup>['deduper']['claim']>>): ReadyRun {
  expect(claim.status).toBe('ready');
  return claim as ReadyRun;
}

describe('deduper.claim (claim ahead, run later)', () => {
  it('holds the key until run, which completes it like deduper.run', async () => {
    const { deduper, store, clock } = setup();
    const claim = ready(await deduper.claim('o1'));
    expect((await store.get('payments#o1', { now: clock.now() }))?.status).toBe('IN_PROGRESS');
    await expect(deduper.run('o1', () => 'copy')).rejects.toBeInstanceOf(InProgressError);

    const outcome = await claim.run(() => 'charged');
    expect(outcome).toMatchObject({ status: 'processed', result: 'charged', key: 'o1' });
    expect(await deduper.claim('o1')).toMatchObject({ status: 'duplicate', key: 'o1' });
  });

  it('releases an unrun claim so the next delivery claims it at once', async () => {
    const { deduper, store, clock, events } = setup();
    const claim = ready(await deduper.claim('o1'));
    await claim.release();
    expect(await store.get('payments#o1', { now: clock.now() })).toBeUndefined();
    expect(events.at(-1)).toMatchObject({ type: 'released', key: 'o1', error: undefined });
    await expect(claim.run(() => 'late')).rejects.toThrow(/already released/);
    ready(await deduper.claim('o1'));
  });

  it('releases the key and rethrows when the handler fails, like run', async () => {
    const { deduper, store, clock } = setup();
    const claim = ready(await deduper.claim('o1'));
    const boom = new Error('boom');
    await expect(claim.run(() => Promise.reject(boom))).rejects.toBe(boom);
    expect(await store.get('payments#o1', { now: clock.now() })).toBeUndefined();
    await claim.release(); // after run: a no-op, never a second release
    await expect(claim.run(() => 'again')).rejects.toThrow(/already run/);
  });

  it('keeps a claim that waits for its turn alive with autoExtend', async () => {
    vi.useFakeTimers();
    try {
      const { deduper, store, clock } = setup({ lease: 300, autoExtend: true });
      const claim = ready(await deduper.claim('o1'));
      for (let i = 0; i < 5; i++) {
        clock.advance(100);
        await vi.advanceTimersByTimeAsync(100);
      }
      const record = await store.get('payments#o1', { now: clock.now() });
      expect(record?.leaseUntil).toBeGreaterThan(clock.now());
      expect(await claim.run(() => 'ok')).toMatchObject({ status: 'processed' });
    } finally {
      vi.useRealTimers();
    }
  });

  it('claims nothing in transactional mode: run commits, a second copy is a duplicate', async () => {
    const { deduper, store, clock } = setup({ transactional: true });
    const first = ready(await deduper.claim('o1'));
    const second = ready(await deduper.claim('o1'));
    expect(await store.get('payments#o1', { now: clock.now() })).toBeUndefined();
    const ledger: string[] = [];
    const outcomeA = await first.run((context) => context.addEffect(() => ledger.push('a')));
    const outcomeB = await second.run((context) => context.addEffect(() => ledger.push('b')));
    expect([outcomeA.status, outcomeB.status]).toEqual(['processed', 'duplicate']);
    expect(ledger).toEqual(['a']);
  });
});
