/**
 * One `instanceof KeyReadError` (core's) catches the key failures of every adapter and of
 * every form of the shared `key` option, each still its adapter's own class with its
 * position, so a caller that routes "the key could not be read" to a dead-letter path
 * writes that check once, whatever the source.
 */
import { KeyReadError, MemoryStore, type OncelyLogger } from '@oncely/core';
import {
  type KafkaMessage,
  type MessageKey as KafkaMessageKey,
  MessageKeyError as KafkaMessageKeyError,
} from '@oncely/kafka';
import { createEachMessageHandler } from '@oncely/kafka/kafkajs';
import {
  createSqsHandler,
  MessageBodyError,
  type MessageKey as SqsMessageKey,
  MessageKeyError as SqsMessageKeyError,
} from '@oncely/sqs';
import { idempotencyKey, MissingKeyError } from '@oncely/webhook';
import type { SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';

/** The error an SQS handler logs for a record whose key cannot be read. */
async function sqsKeyFailure(key: SqsMessageKey<SQSRecord>, body: string): Promise<unknown> {
  const errors: unknown[] = [];
  const logger: OncelyLogger = {
    debug: () => {},
    info: () => {},
    warn: () => {},
    error: (_message, context) => void errors.push(context.error),
  };
  const handler = createSqsHandler({ store: new MemoryStore(), key, logger, handler: () => {} });
  type Event = Parameters<typeof handler>[0];
  type Context = Parameters<typeof handler>[1];
  const record = {
    messageId: 'm-1',
    receiptHandle: 'handle-m-1',
    body,
    attributes: { ApproximateReceiveCount: '1', SentTimestamp: '0' },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:orders',
    awsRegion: 'us-east-1',
  };
  const context = { getRemainingTimeInMillis: () => 60_000, functionName: 'fn' };
  const response = await handler(
    { Records: [record] } as unknown as Event,
    context as unknown as Context,
  );
  expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm-1' }]);
  return errors[0];
}

/** What a Kafka `eachMessage` handler throws for a message whose key cannot be read. */
async function kafkaKeyFailure(key: KafkaMessageKey, value: string | null): Promise<unknown> {
  const handle = createEachMessageHandler({
    store: new MemoryStore(),
    groupId: 'billing',
    key,
    handler: () => {},
  });
  const message: KafkaMessage = { offset: '7', key: null, value, headers: {}, timestamp: '0' };
  try {
    await handle({ topic: 'orders', partition: 3, message, heartbeat: async () => {} });
  } catch (error) {
    return error;
  }
  throw new Error('expected the Kafka handler to fail');
}

async function webhookKeyFailure(): Promise<unknown> {
  const provider = idempotencyKey({ caller: () => 'acct_1', key: { header: 'X-Request-Id' } });
  const request = new Request('https://api.test/orders', { method: 'POST', body: '{}' });
  try {
    await provider.identify({ request, body: new TextEncoder().encode('{}'), now: Date.now() });
  } catch (error) {
    return error;
  }
  throw new Error('expected the provider to reject the request');
}

const throwing = () => {
  throw new Error('no id');
};

describe('KeyReadError across the adapters', () => {
  it('catches every SQS key form, each with its message ID', async () => {
    const cases: [SqsMessageKey<SQSRecord>, string, object][] = [
      [
        { field: 'detail.id' },
        '{"detail":{}}',
        { source: 'body field detail.id', reason: 'missing' },
      ],
      [{ field: 'id' }, 'not json', { source: 'body field id', reason: 'unparseable_body' }],
      [{ attribute: 'eventId' }, '{}', { source: 'message attribute eventId', reason: 'missing' }],
      ['deduplicationId', '{}', { source: 'MessageDeduplicationId', reason: 'missing' }],
      [throwing, '{}', { source: 'key function' }],
    ];
    for (const [key, body, where] of cases) {
      const error = await sqsKeyFailure(key, body);
      expect(error, JSON.stringify(where)).toBeInstanceOf(KeyReadError);
      expect(error).toMatchObject({ messageId: 'm-1', ...where });
    }
    expect(await sqsKeyFailure({ field: 'id' }, 'not json')).toBeInstanceOf(MessageBodyError);
    expect(await sqsKeyFailure({ field: 'id' }, '{}')).toBeInstanceOf(SqsMessageKeyError);
  });

  it('catches every Kafka key form, each with its topic, partition and offset', async () => {
    const cases: [KafkaMessageKey, string | null, object][] = [
      [
        { header: 'idempotency-key' },
        '{}',
        { source: 'header idempotency-key', reason: 'missing_header' },
      ],
      [
        { field: 'order.id' },
        '{"order":{}}',
        { source: 'value field order.id', reason: 'missing_field' },
      ],
      [
        { field: 'order.id' },
        'not json',
        { source: 'value field order.id', reason: 'unparseable_value' },
      ],
      [{ field: 'order.id' }, null, { source: 'value field order.id', reason: 'missing_value' }],
      [throwing, '{}', { source: 'key function', reason: 'invalid_key' }],
    ];
    for (const [key, value, where] of cases) {
      const error = await kafkaKeyFailure(key, value);
      expect(error, JSON.stringify(where)).toBeInstanceOf(KeyReadError);
      expect(error).toBeInstanceOf(KafkaMessageKeyError);
      expect(error).toMatchObject({ topic: 'orders', partition: 3, offset: '7', ...where });
    }
  });

  it('catches a webhook key failure, with its provider', async () => {
    const webhook = await webhookKeyFailure();
    expect(webhook).toBeInstanceOf(KeyReadError);
    expect(webhook).toBeInstanceOf(MissingKeyError);
    expect(webhook).toMatchObject({
      provider: 'idempotency-key',
      source: 'X-Request-Id',
      reason: 'missing',
    });
  });
});
