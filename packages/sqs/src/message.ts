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
  /** The names of the message attributes it came with (telemetry reads `traceparent`). */
  attributeNames(): string[];
  /** The queue's name, when the message says (a Lambda record's `eventSourceARN`). */
  readonly queue: string | undefined;
  /** The `AWSTraceHeader` system attribute (X-Ray), when AWS set it. */
  readonly xrayTraceHeader: string | undefined;
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
    attributeNames: () => Object.keys(record.messageAttributes ?? {}),
    queue: queueOfArn(record.eventSourceARN),
    xrayTraceHeader: attributes.AWSTraceHeader,
  };
}

/** The queue's name in an SQS ARN (`arn:aws:sqs:region:account:name`). */
function queueOfArn(arn: string | undefined): string | undefined {
  const name = arn?.slice(arn.lastIndexOf(':') + 1);
  return name === undefined || name.length === 0 ? undefined : name;
}

/** `ApproximateReceiveCount` as a number; shared with the worker's SDK message view. */
export function toCount(value: string | undefined): number | undefined {
  const count = Number(value);
  return value !== undefined && Number.isInteger(count) ? count : undefined;
}
