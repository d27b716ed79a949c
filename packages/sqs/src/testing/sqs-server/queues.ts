/**
 * Queues for tests against a real SQS server (ElasticMQ, LocalStack): uniquely named, with
 * short visibility timeouts, FIFO, and dead-letter queues with a redrive policy; sending,
 * receiving and counting what is left.
 */
import { randomUUID } from 'node:crypto';
import {
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  type Message,
  type MessageAttributeValue,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';

/** A queue made for one test. */
export interface TestQueue {
  readonly url: string;
  readonly arn: string;
  /** The dead-letter queue, when `maxReceiveCount` was given. */
  readonly deadLetter?: TestQueue;
}

/** Options of {@link createQueue}. */
export interface CreateQueueOptions {
  /** A readable prefix; a random suffix keeps names unique. @default 'oncely' */
  readonly prefix?: string;
  /** @default false */
  readonly fifo?: boolean;
  /** Seconds a received message stays hidden. Short, so redelivery tests are quick. @default 1 */
  readonly visibilityTimeout?: number;
  /** Adds a dead-letter queue that receives a message after this many receives. */
  readonly maxReceiveCount?: number;
}

/**
 * Creates a uniquely named queue (and its dead-letter queue).
 *
 * @example
 * const queue = await createQueue(client, { fifo: true, maxReceiveCount: 2 });
 */
export async function createQueue(
  client: SQSClient,
  options: CreateQueueOptions = {},
): Promise<TestQueue> {
  const name = `${options.prefix ?? 'oncely'}-${randomUUID().slice(0, 8)}`;
  const deadLetter =
    options.maxReceiveCount === undefined
      ? undefined
      : await makeQueue(client, `${name}-dlq`, options.fifo ?? false, {});
  const attributes: Record<string, string> = {
    VisibilityTimeout: String(options.visibilityTimeout ?? 1),
    ...(deadLetter
      ? {
          RedrivePolicy: JSON.stringify({
            deadLetterTargetArn: deadLetter.arn,
            maxReceiveCount: String(options.maxReceiveCount),
          }),
        }
      : {}),
  };
  const queue = await makeQueue(client, name, options.fifo ?? false, attributes);
  return deadLetter ? { ...queue, deadLetter } : queue;
}

async function makeQueue(
  client: SQSClient,
  name: string,
  fifo: boolean,
  attributes: Record<string, string>,
): Promise<TestQueue> {
  const { QueueUrl } = await client.send(
    new CreateQueueCommand({
      QueueName: fifo ? `${name}.fifo` : name,
      Attributes: { ...attributes, ...(fifo ? { FifoQueue: 'true' } : {}) },
    }),
  );
  if (!QueueUrl) throw new Error(`CreateQueue ${name} returned no URL`);
  const { Attributes } = await client.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
  );
  if (!Attributes?.QueueArn) throw new Error(`queue ${name} has no ARN`);
  return { url: QueueUrl, arn: Attributes.QueueArn };
}

/** Deletes a test queue and its dead-letter queue. */
export async function deleteQueue(client: SQSClient, queue: TestQueue): Promise<void> {
  await client.send(new DeleteQueueCommand({ QueueUrl: queue.url }));
  if (queue.deadLetter) await deleteQueue(client, queue.deadLetter);
}

/** One message to send. */
export interface OutgoingMessage {
  /** An object is sent as JSON. */
  readonly body: string | object;
  /** FIFO: the message group. */
  readonly groupId?: string;
  /** FIFO: defaults to a random ID, so every send is a new message. */
  readonly deduplicationId?: string;
  /** String message attributes. */
  readonly attributes?: Record<string, string>;
}

/**
 * Sends messages in order (batches of 10) and returns their message IDs.
 *
 * @example
 * const [id] = await sendMessages(client, queue, [{ body: { orderId: 'o-1' } }]);
 */
export async function sendMessages(
  client: SQSClient,
  queue: TestQueue,
  messages: readonly OutgoingMessage[],
): Promise<string[]> {
  const ids: string[] = [];
  for (let start = 0; start < messages.length; start += 10) {
    const chunk = messages.slice(start, start + 10);
    const result = await client.send(
      new SendMessageBatchCommand({
        QueueUrl: queue.url,
        Entries: chunk.map((message, index) => ({
          Id: String(index),
          MessageBody:
            typeof message.body === 'string' ? message.body : JSON.stringify(message.body),
          ...(message.groupId === undefined
            ? {}
            : {
                MessageGroupId: message.groupId,
                MessageDeduplicationId: message.deduplicationId ?? randomUUID(),
              }),
          ...(message.attributes
            ? { MessageAttributes: stringAttributes(message.attributes) }
            : {}),
        })),
      }),
    );
    if (result.Failed?.length)
      throw new Error(`SendMessageBatch failed: ${result.Failed[0]?.Message}`);
    const byId = new Map(result.Successful?.map((entry) => [entry.Id, entry.MessageId ?? '']));
    ids.push(...chunk.map((_, index) => byId.get(String(index)) ?? ''));
  }
  return ids;
}

/** Receives what is visible now (long-polling `waitTimeSeconds` for the first message). */
export async function receiveVisible(
  client: SQSClient,
  queue: TestQueue,
  waitTimeSeconds = 1,
): Promise<Message[]> {
  const { Messages } = await client.send(
    new ReceiveMessageCommand({
      QueueUrl: queue.url,
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: waitTimeSeconds,
      MessageSystemAttributeNames: ['All'],
      MessageAttributeNames: ['All'],
    }),
  );
  return Messages ?? [];
}

/** The approximate number of messages in the queue, visible and in flight. */
export async function queueDepth(client: SQSClient, queue: TestQueue): Promise<number> {
  const { Attributes } = await client.send(
    new GetQueueAttributesCommand({
      QueueUrl: queue.url,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return (
    Number(Attributes?.ApproximateNumberOfMessages ?? 0) +
    Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0)
  );
}

function stringAttributes(
  attributes: Record<string, string>,
): Record<string, MessageAttributeValue> {
  return Object.fromEntries(
    Object.entries(attributes).map(([name, value]) => [
      name,
      { DataType: 'String', StringValue: value },
    ]),
  );
}
