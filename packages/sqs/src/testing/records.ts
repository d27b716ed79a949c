import type { Message, MessageAttributeValue } from '@aws-sdk/client-sqs';
import type { SQSMessageAttribute, SQSRecord, SQSRecordAttributes } from 'aws-lambda';

/**
 * Builds the `SQSRecord` Lambda's SQS poller would deliver for a received message:
 * lower-camel-case fields, `eventSource: 'aws:sqs'`, system attributes as strings and
 * message attributes in Lambda's shape (binary values base64-encoded).
 *
 * @example
 * const record = toLambdaRecord(message, 'arn:aws:sqs:us-east-1:000000000000:orders');
 */
export function toLambdaRecord(message: Message, eventSourceARN: string): SQSRecord {
  const attributes = message.Attributes ?? {};
  const recordAttributes: SQSRecordAttributes = {
    ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
    SentTimestamp: attributes.SentTimestamp ?? String(Date.now()),
    SenderId: attributes.SenderId ?? '000000000000',
    ApproximateFirstReceiveTimestamp:
      attributes.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
    ...optional('SequenceNumber', attributes.SequenceNumber),
    ...optional('MessageGroupId', attributes.MessageGroupId),
    ...optional('MessageDeduplicationId', attributes.MessageDeduplicationId),
    ...optional('AWSTraceHeader', attributes.AWSTraceHeader),
  };
  return {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes: recordAttributes,
    messageAttributes: Object.fromEntries(
      Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [
        name,
        toLambdaAttribute(value),
      ]),
    ),
    md5OfBody: message.MD5OfBody ?? '',
    ...optional('md5OfMessageAttributes', message.MD5OfMessageAttributes),
    eventSource: 'aws:sqs',
    eventSourceARN,
    awsRegion: eventSourceARN.split(':')[3] ?? 'us-east-1',
  };
}

function toLambdaAttribute(value: MessageAttributeValue): SQSMessageAttribute {
  return {
    ...optional('stringValue', value.StringValue),
    ...optional(
      'binaryValue',
      value.BinaryValue && Buffer.from(value.BinaryValue).toString('base64'),
    ),
    stringListValues: value.StringListValues ?? [],
    binaryListValues: (value.BinaryListValues ?? []).map((item) =>
      Buffer.from(item).toString('base64'),
    ),
    dataType: value.DataType ?? 'String',
  };
}

function optional<K extends string, V>(name: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [name]: value }) as { [P in K]?: V };
}
