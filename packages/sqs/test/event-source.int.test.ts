import { useQueues } from '@oncely/test-support/queues';
import { describeWithServers } from '@oncely/test-support/servers';
import type { SQSEvent } from 'aws-lambda';
import { expect, it } from 'vitest';
import {
  createSqsEventSource,
  queueDepth,
  receiveVisible,
  sendMessages,
} from '../src/testing/sqs-server/index.js';

describeWithServers('createSqsEventSource against ElasticMQ', () => {
  const sqs = useQueues('driver');

  it('builds SQSEvent records the way Lambda does and deletes the successes', async () => {
    const q = await sqs.queue();
    const [id] = await sendMessages(sqs.client, q, [
      { body: { orderId: 'o-1' }, attributes: { eventId: 'evt-1' } },
    ]);
    const events: SQSEvent[] = [];
    const source = createSqsEventSource({
      client: sqs.client,
      queueUrl: q.url,
      handler: (event) => void events.push(event),
      context: { functionName: 'orders' },
    });
    const invocation = await source.pollOnce();
    expect(invocation?.succeeded).toEqual([id]);
    const record = events[0]?.Records[0];
    expect(record).toMatchObject({
      messageId: id,
      body: '{"orderId":"o-1"}',
      eventSource: 'aws:sqs',
      eventSourceARN: q.arn,
      attributes: { ApproximateReceiveCount: '1' },
      messageAttributes: {
        eventId: {
          stringValue: 'evt-1',
          dataType: 'String',
          stringListValues: [],
          binaryListValues: [],
        },
      },
    });
    expect(record?.receiptHandle).toEqual(expect.any(String));
    expect(record?.attributes.SentTimestamp).toMatch(/^\d+$/);
    expect(await queueDepth(sqs.client, q)).toBe(0);
  });

  it('gives FIFO records their group, deduplication ID and sequence number', async () => {
    const q = await sqs.queue({ fifo: true });
    await sendMessages(sqs.client, q, [{ body: 'a', groupId: 'g-1', deduplicationId: 'd-1' }]);
    const events: SQSEvent[] = [];
    const source = createSqsEventSource({
      client: sqs.client,
      queueUrl: q.url,
      handler: (event) => void events.push(event),
    });
    await source.pollOnce();
    expect(events[0]?.Records[0]?.eventSourceARN).toMatch(/\.fifo$/);
    expect(events[0]?.Records[0]?.attributes).toMatchObject({
      MessageGroupId: 'g-1',
      MessageDeduplicationId: 'd-1',
      SequenceNumber: expect.any(String),
    });
  });

  it('leaves the records named in batchItemFailures on the queue', async () => {
    const q = await sqs.queue({ visibilityTimeout: 30 });
    const [keep, fail] = await sendMessages(sqs.client, q, [{ body: 'keep' }, { body: 'fail' }]);
    const source = createSqsEventSource({
      client: sqs.client,
      queueUrl: q.url,
      handler: (event) => ({
        batchItemFailures: event.Records.filter((r) => r.body === 'fail').map((r) => ({
          itemIdentifier: r.messageId,
        })),
      }),
      failureVisibilityTimeout: 0,
    });
    const [invocation] = await source.drain({ maxInvocations: 1 });
    expect(invocation?.succeeded).toEqual([keep]);
    expect(invocation?.failed).toEqual([fail]);
    // Visibility 0 makes the failure visible again at once, with its receive count raised.
    const again = await receiveVisible(sqs.client, q);
    expect(again.map((m) => [m.MessageId, m.Attributes?.ApproximateReceiveCount])).toEqual([
      [fail, '2'],
    ]);
  });

  it('fails the whole batch when the handler throws, times out, or names an unknown record', async () => {
    const q = await sqs.queue({ visibilityTimeout: 30 });
    await sendMessages(sqs.client, q, [{ body: 'x' }, { body: 'y' }]);
    const handlers = [
      () => {
        throw new Error('crashed');
      },
      () => new Promise(() => {}),
      () => ({ batchItemFailures: [{ itemIdentifier: 'not-in-batch' }] }),
      () => ({ batchItemFailures: [{ itemIdentifier: '' }] }),
      () => 'not a response',
    ];
    for (const handler of handlers) {
      const source = createSqsEventSource({
        client: sqs.client,
        queueUrl: q.url,
        handler,
        failureVisibilityTimeout: 0,
        context: { timeout: 300 },
      });
      const invocation = await source.runUntil((seen) => seen.length > 0);
      expect(invocation[0]?.error, String(handler)).toBeInstanceOf(Error);
      expect(invocation[0]?.succeeded, String(handler)).toEqual([]);
      expect(invocation[0]?.failed.length, String(handler)).toBeGreaterThan(0);
    }
    expect(await queueDepth(sqs.client, q)).toBe(2);
  });

  it('counts down the remaining time and reports the function name', async () => {
    const q = await sqs.queue();
    await sendMessages(sqs.client, q, [{ body: 'x' }]);
    let seen: { name: string; remaining: number } | undefined;
    const source = createSqsEventSource({
      client: sqs.client,
      queueUrl: q.url,
      handler: (_, context) => {
        seen = { name: context.functionName, remaining: context.getRemainingTimeInMillis() };
      },
      context: { functionName: 'billing', timeout: '5s' },
    });
    await source.drain();
    expect(seen?.name).toBe('billing');
    expect(seen?.remaining).toBeGreaterThan(0);
    expect(seen?.remaining).toBeLessThanOrEqual(5_000);
  });
});
