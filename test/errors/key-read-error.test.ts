/**
 * One `instanceof KeyReadError` (core's) catches the key failures of every adapter, each
 * still its adapter's own class with its position, so a caller that routes "the key could
 * not be read" to a dead-letter path writes that check once, whatever the source.
 */
import { KeyReadError, MemoryStore, type OncelyLogger } from '@oncely/core';
import { MessageKeyError as KafkaMessageKeyError, keyByHeader } from '@oncely/kafka';
import { createSqsHandler, MessageKeyError as SqsMessageKeyError } from '@oncely/sqs';
import { idempotencyKey, MissingKeyError } from '@oncely/webhook';
import { describe, expect, it } from 'vitest';

async function sqsKeyFailure(): Promise<unknown> {
  const errors: unknown[] = [];
  const logger: OncelyLogger = {
    debug: () => {},
    info: () => {},
    warn: () => {},
    error: (_message, context) => void errors.push(context.error),
  };
  const handler = createSqsHandler({
    store: new MemoryStore(),
    key: { bodyField: 'detail.id' },
    logger,
    handler: () => {},
  });
  type Event = Parameters<typeof handler>[0];
  type Context = Parameters<typeof handler>[1];
  const record = {
    messageId: 'm-1',
    receiptHandle: 'handle-m-1',
    body: '{"detail":{}}',
    attributes: { ApproximateReceiveCount: '1', SentTimestamp: '0' },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:orders',
    awsRegion: 'us-east-1',
  };
  const context = { getRemainingTimeInMillis: () => 60_000, functionName: 'fn' };
  await handler({ Records: [record] } as unknown as Event, context as unknown as Context);
  return errors[0];
}

function kafkaKeyFailure(): unknown {
  try {
    keyByHeader('idempotency-key')({
      topic: 'orders',
      partition: 3,
      message: { offset: '7', key: null, value: null, timestamp: '0', attributes: 0, headers: {} },
    } as unknown as Parameters<ReturnType<typeof keyByHeader>>[0]);
  } catch (error) {
    return error;
  }
  throw new Error('expected keyByHeader to fail');
}

async function webhookKeyFailure(): Promise<unknown> {
  const provider = idempotencyKey({ caller: () => 'acct_1' });
  const request = new Request('https://api.test/orders', { method: 'POST', body: '{}' });
  try {
    await provider.identify({ request, body: new TextEncoder().encode('{}'), now: Date.now() });
  } catch (error) {
    return error;
  }
  throw new Error('expected the provider to reject the request');
}

describe('KeyReadError across the adapters', () => {
  it('catches SQS, Kafka and webhook key failures, each with its position', async () => {
    const sqs = await sqsKeyFailure();
    const kafka = kafkaKeyFailure();
    const webhook = await webhookKeyFailure();

    for (const error of [sqs, kafka, webhook]) expect(error).toBeInstanceOf(KeyReadError);

    expect(sqs).toBeInstanceOf(SqsMessageKeyError);
    expect(sqs).toMatchObject({
      messageId: 'm-1',
      source: 'body field detail.id',
      reason: 'missing',
    });
    expect(kafka).toBeInstanceOf(KafkaMessageKeyError);
    expect(kafka).toMatchObject({
      topic: 'orders',
      partition: 3,
      offset: '7',
      source: 'header idempotency-key',
      reason: 'missing_header',
    });
    expect(webhook).toBeInstanceOf(MissingKeyError);
    expect(webhook).toMatchObject({
      provider: 'idempotency-key',
      source: 'Idempotency-Key',
      reason: 'missing',
    });
  });
});
