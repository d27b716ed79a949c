import {
  createDeduper,
  type DedupStore,
  InProgressError,
  InvalidOptionError,
  MemoryStore,
  StoreError,
} from '@oncely/core';
import { bindStore, spyStore } from '@oncely/core/testing';
import { describe, expect, it, vi } from 'vitest';
import { BatchInterruptedError, MessageKeyError } from '../src/index.js';
import { createEachBatchHandler, type EachBatchOptions } from '../src/kafkajs/index.js';
import { batchPayload, message, messages } from './fakes.js';

function setup(options: Partial<EachBatchOptions> = {}, store: DedupStore = new MemoryStore()) {
  const effects: string[] = [];
  const handle = createEachBatchHandler({
    store,
    groupId: 'billing',
    handler: ({ message: m }) => {
      effects.push(m.offset);
    },
    ...options,
  });
  return { handle, effects, store };
}

describe('createEachBatchHandler', () => {
  it('runs each message once in offset order, resolving and heartbeating after each', async () => {
    const { handle, effects } = setup();
    const first = batchPayload(messages(0, 5));
    await handle(first.payload);
    expect(effects).toEqual(['0', '1', '2', '3', '4']);
    expect(first.state.resolved).toEqual(['0', '1', '2', '3', '4']);
    expect(first.state.heartbeats).toBeGreaterThanOrEqual(5);

    // The same batch again (a crash before the commit, a rebalance): skipped and resolved.
    const again = batchPayload(messages(0, 5));
    await handle(again.payload);
    expect(effects).toHaveLength(5);
    expect(again.state.resolved).toEqual(['0', '1', '2', '3', '4']);
  });

  it('claims ahead in parallel under the bound, but never runs two handlers at once', async () => {
    const inner = new MemoryStore();
    let inFlight = 0;
    let maxInFlight = 0;
    const claimed: string[] = [];
    const slowClaims: DedupStore = {
      ...bindStore(inner),
      claim: async (key, options) => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        claimed.push(key);
        await new Promise((resolve) => setTimeout(resolve, 5));
        inFlight--;
        return inner.claim(key, options);
      },
    };
    let running = 0;
    let overlapped = false;
    const order: string[] = [];
    const claimedWhenFirstRan: number[] = [];
    const handle = createEachBatchHandler({
      store: slowClaims,
      groupId: 'billing',
      claimAhead: 3,
      handler: async ({ message: m }) => {
        if (m.offset === '0') claimedWhenFirstRan.push(claimed.length);
        running++;
        overlapped ||= running > 1;
        await new Promise((resolve) => setTimeout(resolve, 2));
        order.push(m.offset);
        running--;
      },
    });
    await handle(batchPayload(messages(0, 12)).payload);
    expect(order).toEqual(messages(0, 12).map((m) => m.offset));
    expect(overlapped).toBe(false);
    expect(maxInFlight).toBeGreaterThan(1);
    expect(maxInFlight).toBeLessThanOrEqual(4);
    expect(claimedWhenFirstRan).toEqual([4]); // message 0 and the 3 ahead of it
  });

  it('claims one at a time with claimAhead 0', async () => {
    const spy = spyStore(new MemoryStore(), { batch: false });
    const seen: number[] = [];
    const handle = createEachBatchHandler({
      store: spy.store,
      groupId: 'billing',
      claimAhead: 0,
      handler: () => {
        seen.push(spy.calls.claim ?? 0);
      },
    });
    await handle(batchPayload(messages(0, 4)).payload);
    expect(seen).toEqual([1, 2, 3, 4]);
  });

  it('on a handler error resolves only the messages before it, releases every unrun claim, and throws', async () => {
    const boom = new Error('payment provider down');
    const { handle, store } = setup({
      handler: ({ message: m }) => {
        if (m.offset === '3') throw boom;
      },
    });
    const { payload, state } = batchPayload(messages(0, 10));
    await expect(handle(payload)).rejects.toBe(boom);
    expect(state.resolved).toEqual(['0', '1', '2']);
    const now = Date.now();
    for (const offset of ['3', '4', '5', '9']) {
      expect(await store.get(`kafka:billing#orders/0/${offset}`, { now })).toBeUndefined();
    }
    expect((await store.get('kafka:billing#orders/0/2', { now }))?.status).toBe('COMPLETED');
  });

  it('stops at once when the batch goes stale, gives back its claims, and refuses to let the client resolve the rest', async () => {
    const { payload, state } = batchPayload(messages(0, 8));
    const { handle, effects, store } = setup({
      handler: ({ message: m }) => {
        effects.push(m.offset);
        if (m.offset === '2') state.stale = true;
      },
    });
    const error = await handle(payload).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BatchInterruptedError);
    expect(error).toMatchObject({
      reason: 'stale',
      nextOffset: '3',
      topic: 'orders',
      partition: 0,
    });
    expect(effects).toEqual(['0', '1', '2']);
    expect(state.resolved).toEqual(['0', '1', '2']);
    expect(await store.get('kafka:billing#orders/0/3', { now: Date.now() })).toBeUndefined();
  });

  it('just returns when the consumer stops and eachBatchAutoResolve is off', async () => {
    const { payload, state } = batchPayload(messages(0, 6));
    const { handle, effects } = setup({
      eachBatchAutoResolve: false,
      handler: ({ message: m }) => {
        effects.push(m.offset);
        if (m.offset === '1') state.running = false;
      },
    });
    await handle(payload);
    expect(effects).toEqual(['0', '1']);
    expect(state.resolved).toEqual(['0', '1']);
  });

  it('stops at a poison message: a typed error, nothing resolved from it on', async () => {
    const poison = message(2, '{"id": oops');
    const batch = [
      message(0, { id: 'a' }),
      message(1, { id: 'b' }),
      poison,
      message(3, { id: 'c' }),
    ];
    const { handle, effects } = setup({ key: { field: 'id' } });
    const { payload, state } = batchPayload(batch);
    const error = await handle(payload).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MessageKeyError);
    expect(error).toMatchObject({ problem: 'unparseable_value', offset: '2' });
    expect(effects).toEqual(['0', '1']);
    expect(state.resolved).toEqual(['0', '1']);
  });

  it('routes a poison message to deadLetter and goes on', async () => {
    const deadLettered: string[] = [];
    const batch = [message(0, { id: 'a' }), message(1, 'not json'), message(2, { id: 'c' })];
    const { handle, effects } = setup({
      key: { field: 'id' },
      deadLetter: ({ message: m }, error) => {
        deadLettered.push(`${m.offset}:${error.problem}`);
      },
    });
    const { payload, state } = batchPayload(batch);
    await handle(payload);
    expect(deadLettered).toEqual(['1:unparseable_value']);
    expect(effects).toEqual(['0', '2']);
    expect(state.resolved).toEqual(['0', '1', '2']);
  });

  it('dead-letters a poison message once when its batch comes again before the commit', async () => {
    const deadLettered: string[] = [];
    const batch = [message(0, { id: 'a' }), message(1, 'not json')];
    const { handle, store } = setup({
      key: { field: 'id' },
      deadLetter: ({ message: m }) => {
        deadLettered.push(m.offset);
      },
    });
    await handle(batchPayload(batch).payload);
    const again = batchPayload(batch);
    await handle(again.payload);
    expect(deadLettered).toEqual(['1']);
    expect(again.state.resolved).toEqual(['0', '1']);
    // Recorded by position, beside the keyed records.
    expect(
      await store.get('kafka:billing#dead-letter:orders/0/1@0', { now: Date.now() }),
    ).toMatchObject({
      status: 'COMPLETED',
    });
  });

  it('stops the partition at a store error, with nothing resolved from the failing message on', async () => {
    const inner = new MemoryStore();
    const failing: DedupStore = {
      ...bindStore(inner),
      claim: async (key, options) => {
        if (key.endsWith('/2')) throw new Error('ThrottlingException');
        return inner.claim(key, options);
      },
    };
    const { handle, effects } = setup({}, failing);
    const { payload, state } = batchPayload(messages(0, 5));
    const error = await handle(payload).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect(error).toMatchObject({ operation: 'claim', key: 'orders/0/2' });
    expect(effects).toEqual(['0', '1']);
    expect(state.resolved).toEqual(['0', '1']);
  });

  it('waits for another member that holds a message, and skips it once that member completes it', async () => {
    const store = new MemoryStore();
    const other = createDeduper({ store, namespace: 'kafka:billing', lease: '30s' });
    let finishOther!: () => void;
    const otherRun = other.run(
      'orders/0/1',
      () => new Promise<void>((resolve) => (finishOther = resolve)),
    );
    const { handle, effects } = setup({ heartbeatInterval: 10 }, store);
    const { payload, state } = batchPayload(messages(0, 3));
    const batch = handle(payload);
    await vi.waitFor(() => expect(effects).toEqual(['0']));
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(effects).toEqual(['0']); // still waiting: never runs message 1 concurrently
    expect(state.heartbeats).toBeGreaterThan(1); // and keeps the member alive meanwhile
    finishOther();
    await otherRun;
    await batch;
    expect(effects).toEqual(['0', '2']);
    expect(state.resolved).toEqual(['0', '1', '2']);
  });

  it('gives up on a claim held past inProgressTimeout without moving the partition', async () => {
    const store = new MemoryStore();
    const other = createDeduper({ store, namespace: 'kafka:billing', lease: '60s' });
    const held = await other.claim('orders/0/1');
    const { handle, effects } = setup({ heartbeatInterval: 5, inProgressTimeout: 30 }, store);
    const { payload, state } = batchPayload(messages(0, 3));
    await expect(handle(payload)).rejects.toBeInstanceOf(InProgressError);
    expect(effects).toEqual(['0']);
    expect(state.resolved).toEqual(['0']);
    if (held.status === 'ready') await held.release();
  });

  it('commits transactional effects once across redeliveries', async () => {
    const ledger: string[] = [];
    const { handle } = setup({
      transactional: true,
      handler: ({ message: m }, context) => context.addEffect(() => ledger.push(m.offset)),
    });
    await handle(batchPayload(messages(0, 3)).payload);
    await handle(batchPayload(messages(0, 4)).payload);
    expect(ledger).toEqual(['0', '1', '2', '3']);
  });

  it('defaults the lease to the session timeout and the namespace to the group', () => {
    expect(setup().handle.deduper).toMatchObject({ leaseMs: 30_000, namespace: 'kafka:billing' });
    expect(setup({ sessionTimeout: 10_000 }).handle.deduper.leaseMs).toBe(10_000);
    expect(setup({ sessionTimeout: 10_000, lease: '45s' }).handle.deduper.leaseMs).toBe(45_000);
    expect(setup({ namespace: 'custom' }).handle.deduper.namespace).toBe('custom');
  });

  it('validates its options at construction, naming the bad one', () => {
    const bad = (options: Partial<EachBatchOptions>) => {
      try {
        setup(options);
      } catch (error) {
        expect(error).toBeInstanceOf(InvalidOptionError);
        return (error as InvalidOptionError).option;
      }
      return 'accepted';
    };
    expect(bad({ claimAhead: -1 })).toBe('claimAhead');
    expect(bad({ claimAhead: 1.5 })).toBe('claimAhead');
    expect(bad({ groupId: '' })).toBe('groupId');
    expect(bad({ handler: 'nope' as never })).toBe('handler');
    expect(bad({ key: 'id' as never })).toBe('key');
    expect(bad({ sessionTimeout: 0 })).toBe('sessionTimeout');
    expect(bad({ heartbeatInterval: -5 })).toBe('heartbeatInterval');
    expect(bad({ inProgressTimeout: 'soon' as never })).toBe('inProgressTimeout');
    expect(bad({ eachBatchAutoResolve: 'yes' as never })).toBe('eachBatchAutoResolve');
    expect(bad({ ttl: '1s', sessionTimeout: 5000 })).toBe('ttl');
  });

  it('shows a bad value readably', () => {
    const message = (options: Partial<EachBatchOptions>) => {
      try {
        setup(options);
      } catch (error) {
        return (error as Error).message;
      }
      return 'accepted';
    };
    expect(message({ key: { valueFeild: 'id' } as never })).toContain('got {"valueFeild":"id"}');
    expect(message({ key: { field: 'a..b' } })).toContain('got { field: "a..b" }');
    expect(message({ sessionTimeout: '30 seconds' as never })).toContain('got "30 seconds"');
    expect(message({ claimAhead: '4' as never })).toContain('got "4"');
    expect(message({ handler: { run: true } as never })).toContain('got {"run":true}');
  });
});

describe('createEachBatchHandler: completions in flight', () => {
  it('completes the records of messages handled together in one batch', async () => {
    const store = new MemoryStore();
    const completeMany = vi.spyOn(store, 'completeMany');
    const { handle, effects } = setup({}, store);
    const { payload, state } = batchPayload(messages(0, 8));
    await handle(payload);
    expect(effects).toEqual(['0', '1', '2', '3', '4', '5', '6', '7']);
    expect(state.resolved).toEqual(['0', '1', '2', '3', '4', '5', '6', '7']);
    expect(completeMany.mock.calls.map((call) => call[0].length)).toEqual([8]);
  });

  it('never resolves past a message whose completion failed, and rethrows its error', async () => {
    const inner = new MemoryStore();
    const failing: DedupStore = {
      ...bindStore(inner),
      complete: (key, token, options) =>
        key.endsWith('/2') || key.endsWith(':2')
          ? Promise.reject(new StoreError('complete refused', 'complete', false, {}))
          : inner.complete(key, token, options),
    };
    const { handle, effects } = setup({ batching: false }, failing);
    const { payload, state } = batchPayload(messages(0, 6));
    await expect(handle(payload)).rejects.toMatchObject({
      name: 'StoreError',
      operation: 'complete',
    });
    // Offsets stop before the message whose record did not land, whatever ran after it.
    expect(state.resolved).toEqual(['0', '1']);
    expect(effects.slice(0, 3)).toEqual(['0', '1', '2']);
  });

  it('keeps one message at a time in transactional mode', async () => {
    const store = new MemoryStore();
    const commit = vi.spyOn(store, 'commit');
    const { handle } = setup({ transactional: true }, store);
    const { payload, state } = batchPayload(messages(0, 3));
    await handle(payload);
    expect(state.resolved).toEqual(['0', '1', '2']);
    expect(commit).toHaveBeenCalledTimes(3);
  });
});
