import type { ReceiveMessageCommandInput, SQSClient } from '@aws-sdk/client-sqs';
import { MemoryStore, type OncelyEvent } from '@oncely/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createDedupConsumer } from '../src/worker/index.js';
import { deferred, expectInvalidOption } from './fixtures.js';

/**
 * A stand-in SQS client that hands out `messages` once and records the commands sent:
 * enough to see what sqs-consumer asks for. Redelivery itself is tested on ElasticMQ.
 */
function fakeSqs(messages: { MessageId: string; Body: string }[]) {
  const receives: ReceiveMessageCommandInput[] = [];
  const deleted: string[] = [];
  const firstReceive = deferred();
  let pending = messages.map((m) => ({ ...m, ReceiptHandle: `rh-${m.MessageId}` }));
  const client = {
    send: async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
      const name = command.constructor.name;
      if (name === 'ReceiveMessageCommand') {
        receives.push(command.input as unknown as ReceiveMessageCommandInput);
        firstReceive.resolve();
        const batch = pending;
        pending = [];
        if (batch.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
        return { Messages: batch };
      }
      if (name === 'DeleteMessageCommand') deleted.push(String(command.input.ReceiptHandle));
      return {};
    },
  } as unknown as SQSClient;
  return { client, receives, deleted, firstReceive: firstReceive.promise };
}

describe('createDedupConsumer', () => {
  it('asks sqs-consumer for the attributes its key and FIFO handling need', async () => {
    const sqs = fakeSqs([]);
    const consumer = createDedupConsumer({
      store: new MemoryStore(),
      key: { attribute: 'eventId' },
      consumer: {
        queueUrl: 'http://127.0.0.1:9324/000000000000/orders.fifo',
        sqs: sqs.client,
        messageAttributeNames: ['traceId'],
      },
      handler: () => {},
    });
    consumer.start();
    await sqs.firstReceive;
    consumer.stop();
    expect(sqs.receives[0]?.MessageSystemAttributeNames).toEqual([
      'ApproximateReceiveCount',
      'MessageGroupId',
      'MessageDeduplicationId',
    ]);
    expect(sqs.receives[0]?.MessageAttributeNames).toEqual(['traceId', 'eventId']);
  });

  it('keeps "All" when the caller asked for every attribute', async () => {
    const sqs = fakeSqs([]);
    const consumer = createDedupConsumer({
      store: new MemoryStore(),
      key: 'deduplicationId',
      consumer: {
        queueUrl: 'http://127.0.0.1:9324/000000000000/orders',
        sqs: sqs.client,
        messageSystemAttributeNames: ['All'],
      },
      handler: () => {},
    });
    consumer.start();
    await sqs.firstReceive;
    consumer.stop();
    expect(sqs.receives[0]?.MessageSystemAttributeNames).toEqual(['All']);
  });

  it('defaults the namespace to the queue name and deletes processed messages', async () => {
    const sqs = fakeSqs([{ MessageId: 'm-1', Body: '{}' }]);
    const keys: string[] = [];
    const done = deferred();
    const consumer = createDedupConsumer({
      store: new MemoryStore(),
      consumer: { queueUrl: 'http://127.0.0.1:9324/000000000000/shipments', sqs: sqs.client },
      handler: (_, context) => {
        keys.push(context.storeKey);
      },
    });
    consumer.on('message_processed', () => done.resolve());
    consumer.start();
    await done.promise;
    consumer.stop();
    expect(keys).toEqual(['shipments#m-1']);
    expect(sqs.deleted).toEqual(['rh-m-1']);
  });

  describe('the lease heartbeat (core autoExtend)', () => {
    afterEach(() => {
      vi.useRealTimers();
    });

    /** Runs one message whose handler waits while `advance` moves the heartbeat timers on. */
    async function extensionsWhileRunning(
      options: { lease?: number; autoExtend?: { fraction: number } },
      advanceMs: number,
    ): Promise<number[]> {
      vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
      const sqs = fakeSqs([{ MessageId: 'm-1', Body: '{}' }]);
      const events: OncelyEvent[] = [];
      const running = deferred();
      const release = deferred();
      const done = deferred();
      const consumer = createDedupConsumer({
        store: new MemoryStore(),
        ...options,
        onEvent: (event) => events.push(event),
        consumer: {
          queueUrl: 'http://127.0.0.1:9324/000000000000/slow',
          sqs: sqs.client,
          visibilityTimeout: 30,
          heartbeatInterval: 10,
        },
        handler: async () => {
          running.resolve();
          await release.promise;
        },
      });
      consumer.on('message_processed', () => done.resolve());
      consumer.start();
      await running.promise;
      await vi.advanceTimersByTimeAsync(advanceMs);
      release.resolve();
      await done.promise;
      consumer.stop();
      return events.flatMap((event) =>
        event.type === 'lease_extended' ? [event.leaseUntil - event.at] : [],
      );
    }

    it('moves the lease a whole visibility timeout ahead every heartbeatInterval', async () => {
      // 25 s of a 30 s lease with a 10 s heartbeat: two extensions, each 30 s ahead.
      expect(await extensionsWhileRunning({}, 25_000)).toEqual([30_000, 30_000]);
    });

    it("keeps the caller's own autoExtend instead", async () => {
      // Every half of the 30 s lease: one extension in 25 s, not two.
      expect(await extensionsWhileRunning({ autoExtend: { fraction: 0.5 } }, 25_000)).toEqual([
        30_000,
      ]);
    });

    it('refuses a lease that is not longer than the heartbeat interval', () => {
      const sqs = fakeSqs([]);
      expectInvalidOption(
        () =>
          createDedupConsumer({
            store: new MemoryStore(),
            lease: '10s',
            consumer: {
              queueUrl: 'http://127.0.0.1:9324/000000000000/q',
              sqs: sqs.client,
              visibilityTimeout: 30,
              heartbeatInterval: 10,
            },
            handler: () => {},
          }),
        'lease',
      );
    });
  });

  it('validates its options at construction', () => {
    const store = new MemoryStore();
    const queueUrl = 'http://127.0.0.1:9324/000000000000/q';
    const bad: [string, Record<string, unknown>][] = [
      ['handler', { store, consumer: { queueUrl } }],
      ['consumer', { store, handler: () => {} }],
      ['consumer', { store, handler: () => {}, consumer: { queueUrl: '' } }],
      ['concurrency', { store, handler: () => {}, consumer: { queueUrl }, concurrency: 1.5 }],
      ['store', { handler: () => {}, consumer: { queueUrl } }],
    ];
    for (const [option, options] of bad)
      expectInvalidOption(() => createDedupConsumer(options as never), option);
  });
});
