import type { SQSRecord } from 'aws-lambda';

/**
 * One SQS message as the key pickers and the batch planner see it, whether it came
 * from a Lambda event (`SQSRecord`) or from `sqs-consumer` (`Message`). Internal.
 */
export interface QueueMessage<TMessage> {
  /** The original record or message, passed to the handler and to key functions. */
  readonly raw: TMessage;
  readonly messageId: string;
  readonly body: string | undefined;
  /** `ApproximateReceiveCount`: 1 on the first delivery. */
  readonly receiveCount: number | undefined;
  /** FIFO only. */
  readonly groupId: string | undefined;
  /** FIFO only. */
  readonly deduplicationId: string | undefined;
  /** A message attribute's string value (String and Number types). */
  attribute(
    name: string,
  ): { readonly dataType: string; readonly value: string | undefined } | undefined;
}

/** Views a Lambda `SQSRecord`. */
export function fromLambdaRecord(record: SQSRecord): QueueMessage<SQSRecord> {
  const attributes = record.attributes ?? {};
  return {
    raw: record,
    messageId: record.messageId,
    body: record.body,
    receiveCount: toCount(attributes.ApproximateReceiveCount),
    groupId: attributes.MessageGroupId,
    deduplicationId: attributes.MessageDeduplicationId,
    attribute(name) {
      const attribute = record.messageAttributes?.[name];
      return attribute && { dataType: attribute.dataType, value: attribute.stringValue };
    },
  };
}

/** `ApproximateReceiveCount` as a number; shared with the worker's SDK message view. */
export function toCount(value: string | undefined): number | undefined {
  const count = Number(value);
  return value !== undefined && Number.isInteger(count) ? count : undefined;
}
