/**
 * sqs-consumer workers end to end: a real SQS server (ElasticMQ) and DynamoDB Local.
 */
import type { Message } from '@aws-sdk/client-sqs';
import type { OncelyEvent } from '@oncely/core';
import { GroupBlockedError, MessageBodyError } from '@oncely/sqs';
import {
  queueDepth,
  receiveVisible,
  sendMessages,
  type TestQueue,
} from '@oncely/sqs/testing/sqs-server';
import { createDedupConsumer } from '@oncely/sqs/worker';
import { eventually } from '@oncely/test-support/eventually';
import { useQueues } from '@oncely/test-support/queues';
import { describeWithServers } from '@oncely/test-support/servers';
import { useStoreTable } from '@oncely/test-support/tables';
import type { Consumer } from 'sqs-consumer';
import { afterEach, expect, it } from 'vitest';

describeWithServers('sqs-consumer workers on ElasticMQ and DynamoDB Local', () => {
  const sqs = useQueues('worker');
  const table = useStoreTable('sqs-worker');
  const consumers: Consumer[] = [];
  const started = (consumer: Consumer) => {
    consumers.push(consumer);
    consumer.start();
    return consumer;
  };
  const bodyOf = (message: Message) => JSON.parse(message.Body ?? 'null');

  afterEach(() => {
    for (const consumer of consumers.splice(0)) consumer.stop({ abort: true });
  });

  it('two competing workers with producer duplicates: each event takes effect once', async () => {
    const q = await sqs.queue({ visibilityTimeout: 1 });
    const namespace = table.namespace();
    const effects: string[] = [];
    const received = [0, 0];
    const worker = (index: number) => {
      const consumer = createDedupConsumer({
        store: table.store,
        namespace,
        key: { field: 'eventId' },
        consumer: {
          queueUrl: q.url,
          sqs: sqs.client,
          batchSize: 1,
          waitTimeSeconds: 1,
          // An in-progress duplicate comes back at once instead of after the visibility timeout.
          terminateVisibilityTimeout: true,
        },
        handler: async (message) => {
          effects.push(bodyOf(message).eventId);
        },
      });
      consumer.on('message_received', () => {
        received[index] = (received[index] ?? 0) + 1;
      });
      return started(consumer);
    };
    worker(0);
    worker(1);
    const events = Array.from({ length: 30 }, (_, n) => `evt-${n % 10}`);
    await sendMessages(
      sqs.client,
      q,
      events.map((eventId) => ({ body: { eventId } })),
    );
    await eventually('every message deleted', async () => (await queueDepth(sqs.client, q)) === 0);
    expect(effects.sort()).toEqual([...new Set(events)].sort());
    expect(received[0]).toBeGreaterThan(0);
    expect(received[1]).toBeGreaterThan(0);
  });

  it('a handler error reaches sqs-consumer, the message is not deleted, and SQS redelivers it', async () => {
    const q = await sqs.queue({ visibilityTimeout: 1 });
    const errors: unknown[] = [];
    const effects: [string, number | undefined][] = [];
    let attempts = 0;
    const consumer = createDedupConsumer({
      store: table.store,
      namespace: table.namespace(),
      consumer: { queueUrl: q.url, sqs: sqs.client, waitTimeSeconds: 1 },
      handler: async (message, context) => {
        if (++attempts === 1) throw new Error('warehouse API down');
        effects.push([message.MessageId ?? '', context.receiveCount]);
      },
    });
    consumer.on('processing_error', (error) => errors.push(error));
    started(consumer);
    const [id] = await sendMessages(sqs.client, q, [{ body: { sku: 'x' } }]);
    await eventually('the redelivery processed', () => effects.length === 1);
    expect(effects).toEqual([[id, 2]]);
    expect(errors).toHaveLength(1);
    expect((errors[0] as Error).cause).toMatchObject({ message: 'warehouse API down' });
    await eventually('the message deleted', async () => (await queueDepth(sqs.client, q)) === 0);
  });

  it('extends the lease with the visibility while a slow handler runs', async () => {
    const q = await sqs.queue({ visibilityTimeout: 30 });
    const events: OncelyEvent[] = [];
    const visibleWhileRunning: number[] = [];
    const leases: number[] = [];
    const extended = () => events.filter((event) => event.type === 'lease_extended');
    const consumer = createDedupConsumer({
      store: table.store,
      namespace: table.namespace(),
      onEvent: (event) => events.push(event),
      consumer: {
        queueUrl: q.url,
        sqs: sqs.client,
        waitTimeSeconds: 1,
        visibilityTimeout: 2,
        heartbeatInterval: 1,
      },
      handler: async (_, context) => {
        const record = await table.store.get(context.storeKey, { now: Date.now() });
        leases.push((record?.leaseUntil ?? 0) - Date.now());
        // Outlive the 2 s visibility and lease: finish only after two heartbeats.
        await eventually('two lease extensions', () => extended().length >= 2);
        // Past the original 2 s, sqs-consumer has kept the message hidden from others.
        visibleWhileRunning.push((await receiveVisible(sqs.client, q, 0)).length);
      },
    });
    started(consumer);
    await sendMessages(sqs.client, q, [{ body: { slow: true } }]);
    await eventually('the slow message completed', () =>
      events.some((e) => e.type === 'completed'),
    );
    // The claim's lease is the visibility timeout, and each heartbeat moves it 2 s ahead.
    expect(leases[0]).toBeGreaterThan(1_000);
    expect(leases[0]).toBeLessThanOrEqual(2_000);
    for (const event of extended()) {
      if (event.type === 'lease_extended') expect(event.leaseUntil - event.at).toBe(2_000);
    }
    expect(visibleWhileRunning).toEqual([0]);
    expect(events.some((e) => e.type === 'lease_lost')).toBe(false);
  });

  it('FIFO: runs each group in order; a failure mid-group holds the rest until it succeeds', async () => {
    const q = await sqs.queue({ fifo: true, visibilityTimeout: 1 });
    const effects: string[] = [];
    const errors: unknown[] = [];
    let a2Attempts = 0;
    const consumer = createDedupConsumer({
      store: table.store,
      namespace: table.namespace(),
      consumer: { queueUrl: q.url, sqs: sqs.client, batchSize: 10, waitTimeSeconds: 1 },
      handler: async (message) => {
        const body = message.Body ?? '';
        if (body === 'a2' && ++a2Attempts === 1) throw new Error('a2 failed once');
        effects.push(body);
      },
    });
    consumer.on('processing_error', (error) => errors.push(error));
    await sendMessages(sqs.client, q, [
      { body: 'a1', groupId: 'A' },
      { body: 'b1', groupId: 'B' },
      { body: 'a2', groupId: 'A' },
      { body: 'b2', groupId: 'B' },
      { body: 'a3', groupId: 'A' },
    ]);
    started(consumer);
    await eventually('all five processed', () => effects.length === 5);
    expect(effects.filter((e) => e.startsWith('a'))).toEqual(['a1', 'a2', 'a3']);
    expect(effects.filter((e) => e.startsWith('b'))).toEqual(['b1', 'b2']);
    expect(a2Attempts).toBe(2);
    // The first batch reported a2's error and a3 as blocked behind it.
    expect((errors[0] as Error).message).toBe('a2 failed once');
    expect(errors[1]).toBeInstanceOf(GroupBlockedError);
    await eventually('the queue empty', async () => (await queueDepth(sqs.client, q)) === 0);
  });

  it('a poison message reaches the dead-letter queue after maxReceiveCount', async () => {
    const q = await sqs.queue({ visibilityTimeout: 1, maxReceiveCount: 2 });
    const errors: unknown[] = [];
    let handlerRuns = 0;
    const consumer = createDedupConsumer({
      store: table.store,
      namespace: table.namespace(),
      key: { field: 'eventId' },
      consumer: {
        queueUrl: q.url,
        sqs: sqs.client,
        waitTimeSeconds: 1,
        terminateVisibilityTimeout: true,
      },
      handler: async () => {
        handlerRuns++;
      },
    });
    consumer.on('processing_error', (error) => errors.push(error.cause));
    started(consumer);
    const [poison] = await sendMessages(sqs.client, q, [{ body: 'not json at all' }]);
    const deadLetter = q.deadLetter as TestQueue;
    let moved: Message | undefined;
    await eventually('the poison message in the dead-letter queue', async () => {
      moved = (await receiveVisible(sqs.client, deadLetter, 0))[0];
      return moved !== undefined;
    });
    expect(moved?.Body).toBe('not json at all');
    expect(handlerRuns).toBe(0);
    expect(errors).toHaveLength(2);
    expect(errors[0]).toBeInstanceOf(MessageBodyError);
    expect(errors[0]).toMatchObject({ messageId: poison });
  });
});
