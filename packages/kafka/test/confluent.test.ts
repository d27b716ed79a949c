import { InvalidOptionError } from '@oncely/core';
import { describe, expect, it } from 'vitest';
import { createRebalanceSignal, createWatermarkBatchHandler } from '../src/confluent/index.js';
import { MemoryWatermarkStore } from '../src/index.js';
import { batchPayload, messages } from './fakes.js';

describe('createRebalanceSignal', () => {
  it('signals every rebalance_cb call, then calls the next callback and returns its result', () => {
    const seen: string[] = [];
    const signal = createRebalanceSignal((code: number, assignment: string[]) => {
      seen.push(`next ${code}`);
      return code === 1 ? assignment.slice(1) : undefined;
    });
    signal.onRebalance(() => seen.push('listener'));
    expect(signal.rebalance_cb(1, ['a', 'b'])).toEqual(['b']);
    expect(signal.rebalance_cb(2, [])).toBeUndefined();
    expect(seen).toEqual(['listener', 'next 1', 'listener', 'next 2']);
  });

  it('returns nothing without a next callback, so the client keeps its assignment', () => {
    expect(createRebalanceSignal().rebalance_cb({ code: -175 }, [])).toBeUndefined();
  });
});

describe('confluent createWatermarkBatchHandler', () => {
  const options = () => {
    const handled: string[] = [];
    return {
      handled,
      options: {
        watermarks: new MemoryWatermarkStore(),
        groupId: 'g',
        eachBatchAutoResolve: false,
        handler: ({ message }: { message: { offset: string } }) =>
          void handled.push(message.offset),
      },
    };
  };

  it('fails a batch when its signal was never called: the rebalance_cb is not in the consumer config', async () => {
    const { handled, options: base } = options();
    const handle = createWatermarkBatchHandler({ ...base, rebalances: createRebalanceSignal() });
    const { payload, state } = batchPayload(messages(0, 3));
    await expect(handle(payload)).rejects.toThrow(InvalidOptionError);
    await expect(handle(payload)).rejects.toThrow(/rebalance_cb was never called/);
    expect(handled).toEqual([]);
    expect(state.resolved).toEqual([]);
  });

  it('runs batches once the signal was called, and without a signal', async () => {
    const { handled, options: base } = options();
    const rebalances = createRebalanceSignal();
    const wired = createWatermarkBatchHandler({ ...base, rebalances });
    rebalances.rebalance_cb();
    await wired(batchPayload(messages(0, 2)).payload);
    const unsignalled = createWatermarkBatchHandler({ ...base, groupId: 'h' });
    await unsignalled(batchPayload(messages(0, 1)).payload);
    expect(handled).toEqual(['0', '1', '0']);
  });
});
