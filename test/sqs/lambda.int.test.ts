/**
 * The Lambda path end to end: a real SQS server (ElasticMQ), DynamoDB Local as the store,
 * and `@oncely/sqs/testing` standing in for Lambda's event source mapping.
 */
import { createSqsHandler, MessageBodyError, type RecordOutcome } from '@oncely/sqs';
import {
  createSqsEventSource,
  queueDepth,
  receiveVisible,
  sendMessages,
  type TestQueue,
} from '@oncely/sqs/testing/sqs-server';
import { eventually } from '@oncely/test-support/eventually';
import { useQueues } from '@oncely/test-support/queues';
import { describeWithServers } from '@oncely/test-support/servers';
import { useStoreTable } from '@oncely/test-support/tables';
import { expect, it } from 'vitest';

describeWithServers('Lambda SQS handler on ElasticMQ and DynamoDB Local', () => {
  const sqs = useQueues('lambda');
  const table = useStoreTable('sqs-lambda');

  it('a failed record comes back after its visibility timeout and then succeeds, once', async () => {
    const q = await sqs.queue({ visibilityTimeout: 1 });
    const [id] = await sendMessages(sqs.client, q, [{ body: { orderId: 'o-1' } }]);
    const effects: [string, number | undefined][] = [];
    let attempts = 0;
    const handler = createSqsHandler({
      store: table.store,
      namespace: table.namespace(),
      handler: (record, context) => {
        attempts++;
        if (attempts === 1) throw new Error('payment API timed out');
        effects.push([record.messageId, context.receiveCount]);
      },
    });
    const source = createSqsEventSource({ client: sqs.client, queueUrl: q.url, handler });
    const invocations = await source.runUntil((seen) =>
      seen.some((i) => i.succeeded.includes(id as string)),
    );
    expect(invocations[0]?.failed).toEqual([id]);
    // SQS itself redelivered it (no visibility change by the driver): receive count 2.
    expect(effects).toEqual([[id, 2]]);
    expect(await queueDepth(sqs.client, q)).toBe(0);
  });

  it('an invocation that times out after some effects ran: the redelivery skips them', async () => {
    const q = await sqs.queue({ visibilityTimeout: 2 });
    const ids = await sendMessages(sqs.client, q, [{ body: 'fast' }, { body: 'hangs-once' }]);
    const effects: string[] = [];
    let hung = false;
    const handler = createSqsHandler({
      store: table.store,
      namespace: table.namespace(),
      timeoutMargin: 100,
      handler: async (record) => {
        if (record.body === 'hangs-once' && !hung) {
          hung = true;
          // Lambda kills the invocation at its timeout; this attempt never finishes.
          await new Promise(() => {});
        }
        effects.push(record.body);
      },
    });
    const source = createSqsEventSource({
      client: sqs.client,
      queueUrl: q.url,
      handler,
      context: { timeout: 1500 },
    });
    const invocations = await source.runUntil(
      (seen) => seen.flatMap((i) => i.succeeded).length === 2,
    );
    expect(invocations[0]?.error).toMatchObject({ message: expect.stringContaining('timed out') });
    expect([...(invocations[0]?.failed ?? [])].sort()).toEqual([...ids].sort());
    // `fast` ran once although it was delivered twice; `hangs-once` ran on the redelivery.
    expect(effects.sort()).toEqual(['fast', 'hangs-once']);
  });

  it('producer duplicates keyed by a body event ID run once, even inside one batch', async () => {
    const q = await sqs.queue({ visibilityTimeout: 1 });
    const events = ['evt-1', 'evt-1', 'evt-2', 'evt-1', 'evt-3', 'evt-2'];
    await sendMessages(
      sqs.client,
      q,
      events.map((eventId, n) => ({ body: { eventId, attempt: n } })),
    );
    const effects: string[] = [];
    const outcomes: RecordOutcome<unknown>[] = [];
    const handler = createSqsHandler({
      store: table.store,
      namespace: table.namespace(),
      key: { field: 'eventId' },
      onOutcome: (outcome) => outcomes.push(outcome),
      handler: async (record) => {
        effects.push(JSON.parse(record.body).eventId);
      },
    });
    const source = createSqsEventSource({
      client: sqs.client,
      queueUrl: q.url,
      handler,
      failureVisibilityTimeout: 0,
    });
    const invocations = await source.runUntil(
      (seen) => seen.flatMap((i) => i.succeeded).length === events.length,
    );
    expect(effects.sort()).toEqual(['evt-1', 'evt-2', 'evt-3']);
    // Copies of one key in one batch run one after another: none waits for a redelivery.
    expect(invocations.flatMap((i) => i.failed)).toEqual([]);
    expect(outcomes.filter((o) => o.status === 'processed')).toHaveLength(3);
    expect(outcomes.filter((o) => o.status === 'duplicate')).toHaveLength(3);
    expect(await queueDepth(sqs.client, q)).toBe(0);
  });

  it('two concurrent functions on one queue: each event takes effect once', async () => {
    const q = await sqs.queue({ visibilityTimeout: 1 });
    const events = Array.from({ length: 24 }, (_, n) => `evt-${n % 12}`);
    await sendMessages(
      sqs.client,
      q,
      events.map((eventId) => ({ body: { eventId } })),
    );
    const effects: string[] = [];
    const namespace = table.namespace();
    const makeSource = () =>
      createSqsEventSource({
        client: sqs.client,
        queueUrl: q.url,
        batchSize: 4,
        failureVisibilityTimeout: 0,
        handler: createSqsHandler({
          store: table.store,
          namespace,
          key: { field: 'eventId' },
          handler: async (record) => {
            effects.push(JSON.parse(record.body).eventId);
          },
        }),
      });
    const [one, two] = [makeSource(), makeSource()];
    const deleted = () =>
      [...one.invocations, ...two.invocations].flatMap((i) => i.succeeded).length === events.length;
    await Promise.all([one.runUntil(deleted), two.runUntil(deleted)]);
    expect(effects.sort()).toEqual([...new Set(events)].sort());
    expect(one.invocations.length).toBeGreaterThan(0);
    expect(two.invocations.length).toBeGreaterThan(0);
  });

  it('FIFO: a failure mid-group holds the rest of the group; other groups carry on', async () => {
    const q = await sqs.queue({ fifo: true, visibilityTimeout: 1 });
    const [, , a2, , a3] = await sendMessages(sqs.client, q, [
      { body: 'a1', groupId: 'A' },
      { body: 'b1', groupId: 'B' },
      { body: 'a2', groupId: 'A' },
      { body: 'b2', groupId: 'B' },
      { body: 'a3', groupId: 'A' },
    ]);
    const effects: string[] = [];
    let a2Attempts = 0;
    const handler = createSqsHandler({
      store: table.store,
      namespace: table.namespace(),
      handler: (record) => {
        if (record.body === 'a2' && ++a2Attempts === 1) throw new Error('a2 failed once');
        effects.push(record.body);
      },
    });
    const source = createSqsEventSource({ client: sqs.client, queueUrl: q.url, handler });
    const invocations = await source.runUntil(
      (seen) => seen.flatMap((i) => i.succeeded).length === 5,
    );
    const first = invocations[0];
    expect(first?.event.Records.map((r) => r.body).sort()).toEqual(['a1', 'a2', 'a3', 'b1', 'b2']);
    expect([...(first?.failed ?? [])].sort()).toEqual([a2, a3].sort());
    // Group order holds across the redelivery: a3 never ran before a2 succeeded.
    expect(effects.filter((e) => e.startsWith('a'))).toEqual(['a1', 'a2', 'a3']);
    expect(effects.filter((e) => e.startsWith('b'))).toEqual(['b1', 'b2']);
    expect(a2Attempts).toBe(2);
  });

  it('a poison message (unparseable body) reaches the dead-letter queue after maxReceiveCount', async () => {
    const q = await sqs.queue({ visibilityTimeout: 1, maxReceiveCount: 2 });
    const [poison] = await sendMessages(sqs.client, q, [{ body: '{"eventId": oops' }]);
    const logged: unknown[] = [];
    let handlerRuns = 0;
    const handler = createSqsHandler({
      store: table.store,
      namespace: table.namespace(),
      key: { field: 'eventId' },
      logger: {
        debug() {},
        info() {},
        warn() {},
        error: (_, context) => void logged.push(context?.error),
      },
      handler: () => {
        handlerRuns++;
      },
    });
    const source = createSqsEventSource({
      client: sqs.client,
      queueUrl: q.url,
      handler,
      failureVisibilityTimeout: 0,
    });
    const deadLetter = q.deadLetter as TestQueue;
    let moved: string | undefined;
    await eventually('the poison message in the dead-letter queue', async () => {
      await source.pollOnce();
      moved = (await receiveVisible(sqs.client, deadLetter, 0))[0]?.Body;
      return moved !== undefined;
    });
    expect(moved).toBe('{"eventId": oops');
    expect(handlerRuns).toBe(0);
    expect(source.invocations.map((i) => i.failed)).toEqual([[poison], [poison]]);
    expect(logged).toHaveLength(2);
    expect(logged[0]).toBeInstanceOf(MessageBodyError);
    expect(logged[0]).toMatchObject({ messageId: poison });
    expect(await queueDepth(sqs.client, q)).toBe(0);
  });
});
