import { InvalidOptionError, MemoryStore } from '@oncely/core';
import { spyStore, spyWatermarkStore } from '@oncely/core/testing';
import { describe, expect, it } from 'vitest';
import {
  BatchInterruptedError,
  MemoryWatermarkStore,
  WatermarkConflictError,
  type WatermarkStore,
  WatermarkStoreError,
} from '../src/index.js';
import { createEachBatchHandler, createWatermarkBatchHandler } from '../src/kafkajs/index.js';
import { batchPayload, messages } from './fakes.js';

function setup(watermarks: WatermarkStore = new MemoryWatermarkStore()) {
  const effects: string[] = [];
  const handle = createWatermarkBatchHandler({
    watermarks,
    groupId: 'metrics',
    handler: ({ message }) => {
      effects.push(message.offset);
    },
  });
  return { handle, effects, watermarks };
}

describe('createWatermarkBatchHandler', () => {
  it('writes once per partition per batch, against two writes per message for per-message claims', async () => {
    const watermarked = spyWatermarkStore(new MemoryWatermarkStore());
    const { handle, effects } = setup(watermarked.store);
    const claims = spyStore(new MemoryStore(), { batch: false });
    const perMessage = createEachBatchHandler({
      store: claims.store,
      groupId: 'metrics',
      handler: () => {},
    });
    for (let batch = 0; batch < 4; batch++) {
      await handle(batchPayload(messages(batch * 50, 50)).payload);
      await perMessage(batchPayload(messages(batch * 50, 50)).payload);
    }
    expect(effects).toHaveLength(200);
    expect([watermarked.writes, watermarked.reads]).toEqual([4, 4]);
    expect(watermarked.writes / 200).toBe(0.02);
    expect(claims.writes / 200).toBe(2);
    expect(claims.calls).toEqual({ claim: 200, complete: 200 });
  });

  it('skips a redelivered batch whose watermark landed, without another write', async () => {
    const counted = spyWatermarkStore(new MemoryWatermarkStore());
    const { handle, effects } = setup(counted.store);
    await handle(batchPayload(messages(0, 5)).payload);
    const again = batchPayload(messages(3, 5)); // 3..7: 3 and 4 were done
    await handle(again.payload);
    expect(effects).toEqual(['0', '1', '2', '3', '4', '5', '6', '7']);
    expect(again.state.resolved).toEqual(['3', '4', '5', '6', '7']);
    const redelivered = batchPayload(messages(0, 8));
    await handle(redelivered.payload);
    expect(effects).toHaveLength(8);
    expect(redelivered.state.resolved).toHaveLength(8);
    expect(counted.calls).toEqual({ read: 3, advance: 2 });
  });

  it('on a handler error records and resolves the processed part, then throws', async () => {
    const watermarks = new MemoryWatermarkStore();
    const boom = new Error('boom');
    let fail = true;
    const effects: string[] = [];
    const handle = createWatermarkBatchHandler({
      watermarks,
      groupId: 'metrics',
      handler: ({ message }) => {
        if (message.offset === '3' && fail) throw boom;
        effects.push(message.offset);
      },
    });
    const first = batchPayload(messages(0, 6));
    await expect(handle(first.payload)).rejects.toBe(boom);
    expect(first.state.resolved).toEqual(['0', '1', '2']);
    expect((await watermarks.read(handle.watermarkKey('orders', 0)))?.offset).toBe('2');
    fail = false;
    await handle(batchPayload(messages(0, 6)).payload); // the client retries from the start of its batch
    expect(effects).toEqual(['0', '1', '2', '3', '4', '5']);
  });

  it('records the processed part of a batch that goes stale', async () => {
    const watermarks = new MemoryWatermarkStore();
    const { payload, state } = batchPayload(messages(10, 5));
    const handle = createWatermarkBatchHandler({
      watermarks,
      groupId: 'metrics',
      handler: ({ message }) => {
        if (message.offset === '11') state.stale = true;
      },
    });
    const error = await handle(payload).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BatchInterruptedError);
    expect(error).toMatchObject({ nextOffset: '12' });
    expect((await watermarks.read(handle.watermarkKey('orders', 0)))?.offset).toBe('11');
  });

  it('gives up what per-message claims keep: a zombie and the new owner both run the batch; the write only detects it', async () => {
    const watermarks = new MemoryWatermarkStore();
    const ledger = new Map<string, number>();
    let releaseZombie!: () => void;
    const zombieMayFinish = new Promise<void>((resolve) => (releaseZombie = resolve));
    const count = (offset: string) => ledger.set(offset, (ledger.get(offset) ?? 0) + 1);
    const zombie = createWatermarkBatchHandler({
      watermarks,
      groupId: 'metrics',
      handler: async ({ message }) => {
        count(message.offset);
        if (message.offset === '2') await zombieMayFinish; // evicted while it works
      },
    });
    const owner = createWatermarkBatchHandler({
      watermarks,
      groupId: 'metrics',
      handler: ({ message }) => void count(message.offset),
    });
    const zombieBatch = zombie(batchPayload(messages(0, 3)).payload);
    await owner(batchPayload(messages(0, 3)).payload); // the partition's new owner
    releaseZombie();
    const error = await zombieBatch.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WatermarkConflictError);
    expect(error).toMatchObject({ offset: '2', current: '2' });
    expect([...ledger.values()]).toEqual([2, 2, 2]); // every effect ran twice
    const stored = await watermarks.read(owner.watermarkKey('orders', 0));
    expect(stored).toMatchObject({ offset: '2', owner: owner.owner });
  });

  it('per-message claims in the same race: the new owner waits, nothing runs twice', async () => {
    const store = new MemoryStore();
    const ledger = new Map<string, number>();
    let releaseSlow!: () => void;
    const slowMayFinish = new Promise<void>((resolve) => (releaseSlow = resolve));
    const count = (offset: string) => ledger.set(offset, (ledger.get(offset) ?? 0) + 1);
    const options = { store, groupId: 'metrics', heartbeatInterval: 5 };
    const slow = createEachBatchHandler({
      ...options,
      handler: async ({ message }) => {
        count(message.offset);
        if (message.offset === '2') await slowMayFinish;
      },
    });
    const owner = createEachBatchHandler({
      ...options,
      handler: ({ message }) => void count(message.offset),
    });
    const slowBatch = slow(batchPayload(messages(0, 3)).payload);
    const ownerBatch = owner(batchPayload(messages(0, 3)).payload);
    await new Promise((resolve) => setTimeout(resolve, 30));
    releaseSlow();
    await Promise.all([slowBatch, ownerBatch]);
    expect([...ledger.values()]).toEqual([1, 1, 1]);
  });

  it('turns a failing store into a WatermarkStoreError and runs nothing', async () => {
    const broken: WatermarkStore = {
      name: 'broken',
      read: async () => {
        throw new Error('connection reset');
      },
      advance: async () => ({ advanced: true }),
      delete: async () => {},
    };
    const { handle, effects } = setup(broken);
    const { payload, state } = batchPayload(messages(0, 3));
    const error = await handle(payload).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WatermarkStoreError);
    expect(error).toMatchObject({ watermarkOperation: 'read', operation: 'get', retryable: true });
    expect(effects).toEqual([]);
    expect(state.resolved).toEqual([]);
  });

  it('compares offsets as 64-bit integers, not as strings or doubles', async () => {
    const watermarks = new MemoryWatermarkStore();
    await watermarks.advance('k', { offset: '9', owner: 'a', now: 0 });
    expect(await watermarks.advance('k', { offset: '10', owner: 'a', now: 0 })).toEqual({
      advanced: true,
    });
    await watermarks.advance('big', { offset: '9007199254740993', owner: 'a', now: 0 });
    const outcome = await watermarks.advance('big', {
      offset: '9007199254740992',
      owner: 'b',
      now: 0,
    });
    expect(outcome.advanced).toBe(false);
  });

  it('validates its options, naming the bad one', () => {
    const option = (make: () => unknown) => {
      try {
        make();
      } catch (error) {
        return (error as InvalidOptionError).option;
      }
      return 'accepted';
    };
    const watermarks = new MemoryWatermarkStore();
    const handler = () => {};
    expect(
      option(() => createWatermarkBatchHandler({ watermarks: {} as never, groupId: 'g', handler })),
    ).toBe('watermarks');
    expect(option(() => createWatermarkBatchHandler({ watermarks, groupId: '', handler }))).toBe(
      'groupId',
    );
    expect(
      option(() => createWatermarkBatchHandler({ watermarks, groupId: 'g', handler: 1 as never })),
    ).toBe('handler');
    expect(
      option(() =>
        createWatermarkBatchHandler({ watermarks, groupId: 'g', handler, heartbeatInterval: 0 }),
      ),
    ).toBe('heartbeatInterval');
    expect(() =>
      createWatermarkBatchHandler({ watermarks, groupId: 'g', handler, namespace: '' }),
    ).toThrow(InvalidOptionError);
  });
});
