import type { SQSEvent, SQSMessageAttributes, SQSRecord } from 'aws-lambda';

/** What {@link createSqsRecord} varies; everything else is a fixed, valid value. */
export interface SqsRecordOptions {
  /** @default `{"id":"<messageId>"}` */
  readonly body?: string;
  /** `ApproximateReceiveCount`: above 1 is a redelivery. @default 1 */
  readonly receiveCount?: number;
  /** A FIFO queue's message group: makes the record a FIFO one (`.fifo` queue, `SequenceNumber`). */
  readonly groupId?: string;
  /** A FIFO queue's `MessageDeduplicationId`. */
  readonly deduplicationId?: string;
  /** Message attributes, in Lambda's shape. @default {} */
  readonly messageAttributes?: SQSMessageAttributes;
  /** @default `arn:aws:sqs:us-east-1:000000000000:orders` (or `orders.fifo`) */
  readonly queueArn?: string;
  /** @default `handle-<messageId>` */
  readonly receiptHandle?: string;
  /** `SentTimestamp` and `ApproximateFirstReceiveTimestamp`, epoch ms. @default 1767225600000 */
  readonly sentTimestamp?: number;
}

/**
 * An SQS record as Lambda's poller delivers it, for tests of a handler without a queue.
 *
 * @example
 * import { createSqsEvent, createSqsRecord, createLambdaContext } from '@oncely/sqs/testing';
 *
 * const event = createSqsEvent(createSqsRecord('m-1', { body: '{"orderId":"o-1"}' }));
 * const response = await handler(event, createLambdaContext());
 */
export function createSqsRecord(messageId: string, options: SqsRecordOptions = {}): SQSRecord {
  const fifo = options.groupId !== undefined;
  const sent = String(options.sentTimestamp ?? 1_767_225_600_000);
  return {
    messageId,
    receiptHandle: options.receiptHandle ?? `handle-${messageId}`,
    body: options.body ?? JSON.stringify({ id: messageId }),
    attributes: {
      ApproximateReceiveCount: String(options.receiveCount ?? 1),
      SentTimestamp: sent,
      SenderId: '000000000000',
      ApproximateFirstReceiveTimestamp: sent,
      ...(fifo ? { MessageGroupId: options.groupId, SequenceNumber: '1' } : {}),
      ...(options.deduplicationId ? { MessageDeduplicationId: options.deduplicationId } : {}),
    },
    messageAttributes: options.messageAttributes ?? {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN:
      options.queueArn ?? `arn:aws:sqs:us-east-1:000000000000:${fifo ? 'orders.fifo' : 'orders'}`,
    awsRegion: 'us-east-1',
  };
}

/** An SQS event of `records`, as Lambda invokes a handler with it. */
export function createSqsEvent(...records: SQSRecord[]): SQSEvent {
  return { Records: records };
}
