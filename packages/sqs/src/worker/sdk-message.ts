import type { Message } from '@aws-sdk/client-sqs';
import { type QueueMessage, toCount } from '../message.js';

// Kept out of ../message.ts so that the root entry's types never name @aws-sdk/client-sqs,
// an optional peer only workers install.
/** Views an `sqs-consumer` (AWS SDK v3) `Message` received from `queue`. */
export function fromSdkMessage(message: Message, queue?: string): QueueMessage<Message> {
  const attributes = message.Attributes ?? {};
  return {
    raw: message,
    messageId: message.MessageId ?? '',
    body: message.Body,
    receiveCount: toCount(attributes.ApproximateReceiveCount),
    groupId: attributes.MessageGroupId,
    deduplicationId: attributes.MessageDeduplicationId,
    attribute(name) {
      const attribute = message.MessageAttributes?.[name];
      return (
        attribute && { dataType: attribute.DataType ?? 'String', value: attribute.StringValue }
      );
    },
    attributeNames: () => Object.keys(message.MessageAttributes ?? {}),
    queue,
    xrayTraceHeader: attributes.AWSTraceHeader,
  };
}
