import { EventEmitter } from 'node:events';
import { InvalidOptionError } from '@oncely/core';
import { spyWatermarkStore } from '@oncely/core/testing';
import { describe, expect, it } from 'vitest';
import { MemoryWatermarkStore, WatermarkConflictError } from '../src/index.js';
import { createWatermarkBatchHandler } from '../src/kafkajs/index.js';
import { batchPayload, messages } from './fakes.js';

const GROUP_JOIN = 'consumer.group_join';

/** A consumer's event side as kafkajs exposes it: `on` and `events.GROUP_JOIN`. */
function fakeConsumer() {
  const emitter = new EventEmitter();
  return {
    consumer: { events: { GROUP_JOIN }, on: emitter.on.bind(emitter) },
    rebalance: () => emitter.emit(GROUP_JOIN, {}),
  };
}

function setup() {
  const inner = new MemoryWatermarkStore();
  const spy = spyWatermarkStore(inner);
  const { consumer, rebalance } = fakeConsumer();
  const effects: string[] = [];
  const handle = createWatermarkBatchHandler({
    watermarks: spy.store,
    groupId: 'metrics',
    consumer,
    handler: ({ message }) => {
      effects.push(message.offset);
    },
  });
  return { handle, inner, spy, effects, rebalance, key: handle.watermarkKey('orders', 0) };
}

describe('createWatermarkBatchHandler with the consumer: remembered watermarks', () => {
  it('reads a partition once, for its first batch, then only writes', async () => {
    const { handle, spy, effects } = setup();
    await handle(batchPayload(messages(0, 10)).payload);
    expect(spy.calls).toEqual({ read: 1, advance: 1 });
    for (let batch = 1; batch < 4; batch++) {
      await handle(batchPayload(messages(batch * 10, 10)).payload);
    }
    expect(spy.calls).toEqual({ read: 1, advance: 4 });
    await handle(batchPayload(messages(0, 10), { partition: 1 }).payload);
    expect(spy.calls).toEqual({ read: 2, advance: 5 });
    expect(effects).toHaveLength(50);
  });

  it('drops the partition on a conflict, so the next batch reads again', async () => {
    const { handle, inner, spy, effects, key } = setup();
    await handle(batchPayload(messages(0, 5)).payload);
    // Another member moves the watermark past what this one remembers (offset 4).
    await inner.advance(key, { offset: '12', owner: 'other', now: 0 });
    const error = await handle(batchPayload(messages(5, 5)).payload).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WatermarkConflictError);
    expect(error).toMatchObject({ offset: '9', current: '12' });
    expect(spy.calls).toEqual({ read: 1, advance: 2 });
    effects.length = 0;
    const retried = batchPayload(messages(5, 10)); // 5..14
    await handle(retried.payload);
    expect(spy.calls).toEqual({ read: 2, advance: 3 });
    expect(effects).toEqual(['13', '14']);
    expect(retried.state.resolved).toHaveLength(10);
  });

  it('drops everything on a group join: a watermark written meanwhile by another member is read', async () => {
    const { handle, inner, spy, effects, rebalance, key } = setup();
    await handle(batchPayload(messages(0, 5)).payload);
    // The partition moves away: its new owner runs 5..9 and writes, then crashes before
    // committing, and the partition comes back from offset 5, right after what was remembered.
    rebalance();
    await inner.advance(key, { offset: '9', owner: 'other', now: 0 });
    rebalance();
    effects.length = 0;
    await handle(batchPayload(messages(5, 7)).payload); // 5..11
    expect(effects).toEqual(['10', '11']);
    expect(spy.calls).toEqual({ read: 2, advance: 2 });
  });

  it('does not remember a write from a batch that a group join overtook', async () => {
    const inner = new MemoryWatermarkStore();
    const spy = spyWatermarkStore(inner);
    const { consumer, rebalance } = fakeConsumer();
    const handle = createWatermarkBatchHandler({
      watermarks: spy.store,
      groupId: 'metrics',
      consumer,
      handler: ({ message }) => {
        if (message.offset === '2') rebalance(); // the group rebalances while the batch runs
      },
    });
    await handle(batchPayload(messages(0, 5)).payload);
    await handle(batchPayload(messages(5, 5)).payload);
    expect(spy.calls).toEqual({ read: 2, advance: 2 });
  });

  it('reads again when a batch does not start right after the remembered offset', async () => {
    const { handle, spy, effects } = setup();
    await handle(batchPayload(messages(0, 5)).payload);
    const redelivered = batchPayload(messages(2, 5)); // 2..6: a seek or a redelivery
    await handle(redelivered.payload);
    expect(spy.calls).toEqual({ read: 2, advance: 2 });
    expect(effects).toEqual(['0', '1', '2', '3', '4', '5', '6']);
    await handle(batchPayload(messages(9, 2)).payload); // a gap: 7 and 8 were never seen here
    expect(spy.calls).toEqual({ read: 3, advance: 3 });
  });

  it('validates the consumer option', () => {
    const make = (consumer: unknown) => () =>
      createWatermarkBatchHandler({
        watermarks: new MemoryWatermarkStore(),
        groupId: 'g',
        handler: () => {},
        consumer: consumer as never,
      });
    for (const bad of [null, {}, { on: () => {} }, { on: 1, events: { GROUP_JOIN } }]) {
      expect(make(bad)).toThrow(InvalidOptionError);
      expect(() => make(bad)()).toThrow(expect.objectContaining({ option: 'consumer' }));
    }
    expect(make(fakeConsumer().consumer)).not.toThrow();
  });
});
