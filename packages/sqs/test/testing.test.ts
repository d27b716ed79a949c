import { InvalidOptionError } from '@oncely/core';
import { describe, expect, it } from 'vitest';
import { createLambdaContext } from '../src/testing/index.js';
import { toLambdaRecord } from '../src/testing/sqs-server/index.js';

describe('@oncely/sqs/testing helpers', () => {
  it('createLambdaContext counts the remaining time down from the timeout', () => {
    let now = 1_000;
    const context = createLambdaContext({ functionName: 'orders', timeout: '10s', now: () => now });
    expect(context.functionName).toBe('orders');
    expect(context.invokedFunctionArn).toBe(
      'arn:aws:lambda:us-east-1:000000000000:function:orders',
    );
    expect(context.getRemainingTimeInMillis()).toBe(10_000);
    now += 4_000;
    expect(context.getRemainingTimeInMillis()).toBe(6_000);
    now += 60_000;
    expect(context.getRemainingTimeInMillis()).toBe(0);
    expect(() => createLambdaContext({ timeout: 'never' as never })).toThrow(InvalidOptionError);
  });

  it('toLambdaRecord maps an SDK message to Lambda’s record shape', () => {
    const record = toLambdaRecord(
      {
        MessageId: 'm-1',
        ReceiptHandle: 'rh',
        Body: 'hello',
        MD5OfBody: 'md5',
        Attributes: { ApproximateReceiveCount: '3', MessageGroupId: 'g', SentTimestamp: '5' },
        MessageAttributes: {
          trace: { DataType: 'String', StringValue: 't-1' },
          blob: { DataType: 'Binary', BinaryValue: new Uint8Array([1, 2, 3]) },
        },
      },
      'arn:aws:sqs:eu-west-1:123456789012:orders.fifo',
    );
    expect(record).toMatchObject({
      messageId: 'm-1',
      receiptHandle: 'rh',
      body: 'hello',
      md5OfBody: 'md5',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:eu-west-1:123456789012:orders.fifo',
      awsRegion: 'eu-west-1',
      attributes: { ApproximateReceiveCount: '3', MessageGroupId: 'g', SentTimestamp: '5' },
      messageAttributes: {
        trace: {
          stringValue: 't-1',
          dataType: 'String',
          stringListValues: [],
          binaryListValues: [],
        },
        blob: { binaryValue: 'AQID', dataType: 'Binary' },
      },
    });
    expect(record.attributes).not.toHaveProperty('MessageDeduplicationId');
  });
});
