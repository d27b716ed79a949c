import { MemoryStore } from '@oncely/core';
import { describe, expect, it } from 'vitest';
import { type KafkaDedupOptions, MessageKeyError } from '../src/index.js';
import { createEachMessageHandler } from '../src/kafkajs/index.js';
import { message, messagePayload } from './fakes.js';

function setup(options: Partial<KafkaDedupOptions> = {}) {
  const effects: string[] = [];
  const store = new MemoryStore();
  const handle = createEachMessageHandler({
    store,
    groupId: 'billing',
    handler: ({ message: m, key }) => {
      effects.push(`${m.offset}:${key}`);
      return m.offset;
    },
    ...options,
  });
  return { handle, effects, store };
}

describe('createEachMessageHandler', () => {
  it('runs a message once; its redelivery is skipped', async () => {
    const { handle, effects } = setup();
    await handle(messagePayload(message(7)));
    await handle(messagePayload(message(7)));
    await handle(messagePayload(message(7), { partition: 1 }));
    expect(effects).toEqual(['7:orders/0/7', '7:orders/1/7']);
  });

  it('catches producer duplicates, at new offsets, when keyed by a header', async () => {
    const { handle, effects } = setup({ key: { header: 'idempotency-key' } });
    await handle(messagePayload(message(1, {}, { 'idempotency-key': 'evt-1' })));
    await handle(messagePayload(message(2, {}, { 'idempotency-key': 'evt-1' })));
    await handle(messagePayload(message(3, {}, { 'idempotency-key': 'evt-2' })));
    expect(effects).toEqual(['1:orders/evt-1', '3:orders/evt-2']);
  });

  it('throws a typed error for a message without its key, so the client does not move past it', async () => {
    const { handle, effects } = setup({ key: { header: 'idempotency-key' } });
    const error = await handle(messagePayload(message(4))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MessageKeyError);
    expect(error).toMatchObject({ problem: 'missing_header', offset: '4' });
    expect(effects).toEqual([]);
  });

  it('lets deadLetter take a poison message off the partition, once per position; a failing deadLetter still stops it', async () => {
    const routed: string[] = [];
    const { handle } = setup({
      key: { header: 'idempotency-key' },
      deadLetter: ({ message: m }) => {
        routed.push(m.offset);
      },
    });
    await handle(messagePayload(message(4)));
    expect(routed).toEqual(['4']);
    // Redelivered before its offset was committed (a crash, a rebalance): routed once.
    await handle(messagePayload(message(4)));
    await handle(messagePayload(message(5)));
    expect(routed).toEqual(['4', '5']);

    const refused = new Error('dead-letter topic unavailable');
    let tries = 0;
    const { handle: strict } = setup({
      key: { header: 'idempotency-key' },
      deadLetter: () => {
        tries++;
        throw refused;
      },
    });
    await expect(strict(messagePayload(message(4)))).rejects.toBe(refused);
    // Its claim was given back: the retry runs the hook again, not a silent skip.
    await expect(strict(messagePayload(message(4)))).rejects.toBe(refused);
    expect(tries).toBe(2);
  });

  it('rethrows a handler error after releasing the claim, so the retry runs it', async () => {
    let attempts = 0;
    const { handle } = setup({
      handler: () => {
        attempts++;
        if (attempts === 1) throw new Error('transient');
      },
    });
    await expect(handle(messagePayload(message(1)))).rejects.toThrow('transient');
    await handle(messagePayload(message(1)));
    expect(attempts).toBe(2);
  });

  it('heartbeats while a long handler runs', async () => {
    let beats = 0;
    const handle = createEachMessageHandler({
      store: new MemoryStore(),
      groupId: 'billing',
      heartbeatInterval: 5,
      handler: () => new Promise((resolve) => setTimeout(resolve, 60)),
    });
    await handle({ ...messagePayload(message(1)), heartbeat: async () => void beats++ });
    expect(beats).toBeGreaterThan(2);
  });
});
