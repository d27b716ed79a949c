import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { type Duration, InvalidOptionError, parseDuration } from '@oncely/core';
import { checkObject, describeValue, nonEmptyString, requireFunction } from '@oncely/core/adapter';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import {
  createLambdaContext,
  LAMBDA_CONTEXT_DEFAULTS,
  type LambdaContextOptions,
} from './lambda-context.js';
import { toLambdaRecord } from './records.js';

/**
 * Any Lambda SQS handler. Like Lambda, the driver accepts whatever it returns: nothing
 * (all succeeded), a partial batch response, or something invalid (the batch fails).
 */
export type LambdaSqsHandler = (event: SQSEvent, context: Context) => unknown;

/** Options of {@link createSqsEventSource}. */
export interface SqsEventSourceOptions {
  readonly client: SQSClient;
  readonly queueUrl: string;
  readonly handler: LambdaSqsHandler;
  /** Messages per invocation (one receive), 1 to 10. @default 10 */
  readonly batchSize?: number;
  /** Long-poll wait of each receive, in seconds. @default 1 */
  readonly waitTimeSeconds?: number;
  /** Visibility timeout of received messages, in seconds. @default the queue's */
  readonly visibilityTimeout?: number;
  /**
   * After an invocation, set the failed messages' visibility to this many seconds (0:
   * redeliver at once) to speed tests up. Leave unset to keep SQS's behaviour, where a
   * failure reappears when its visibility timeout ends.
   * @default undefined
   */
  readonly failureVisibilityTimeout?: number;
  /** The fake function's name and timeout (a timed-out invocation fails its whole batch). */
  readonly context?: LambdaContextOptions;
}

/** Defaults of {@link SqsEventSourceOptions}. */
export const EVENT_SOURCE_DEFAULTS = {
  batchSize: 10,
  waitTimeSeconds: 1,
  idlePolls: 1,
  maxInvocations: 1000,
  until: '30s',
} as const;

/** One invocation of the handler, as the event source mapping saw it. */
export interface Invocation {
  readonly event: SQSEvent;
  /** What the handler returned (`undefined` when it threw or timed out). */
  readonly response: SQSBatchResponse | undefined;
  /** Why the whole batch failed: the handler threw, timed out, or answered invalidly. */
  readonly error: unknown;
  /** Message IDs deleted from the queue. */
  readonly succeeded: readonly string[];
  /** Message IDs left on the queue for redelivery. */
  readonly failed: readonly string[];
}

/** Drives a Lambda SQS handler from a real queue, the way Lambda's event source mapping does. */
export interface SqsEventSource {
  /** Every invocation so far, oldest first. */
  readonly invocations: readonly Invocation[];
  /** Receives one batch and invokes the handler with it; `undefined` when the queue gave nothing. */
  pollOnce(): Promise<Invocation | undefined>;
  /** Polls until `idlePolls` receives in a row return nothing. @returns this call's invocations */
  drain(options?: {
    readonly idlePolls?: number;
    readonly maxInvocations?: number;
  }): Promise<Invocation[]>;
  /**
   * Polls (waiting for redeliveries) until `done(invocations)` holds for this call's
   * invocations; throws when `timeout` passes first. @returns this call's invocations
   */
  runUntil(
    done: (invocations: readonly Invocation[]) => boolean,
    options?: { readonly timeout?: Duration },
  ): Promise<Invocation[]>;
}

/**
 * A small stand-in for Lambda's SQS event source mapping, for tests against a real SQS
 * server (ElasticMQ, LocalStack, AWS): it long-polls the queue, builds an `SQSEvent` as
 * Lambda does (`aws:sqs`, the queue ARN, system attributes with the receive count and
 * FIFO group, message attributes in Lambda's shape), invokes the handler with a Lambda
 * context, deletes the records not listed in `batchItemFailures`, and leaves the rest.
 * As in Lambda, a handler that throws, times out, or names an unknown or empty
 * `itemIdentifier` fails the whole batch.
 *
 * @example
 * import { createSqsEventSource } from '@oncely/sqs/testing/sqs-server';
 *
 * const source = createSqsEventSource({ client, queueUrl, handler, failureVisibilityTimeout: 0 });
 * await source.drain();
 */
export function createSqsEventSource(options: SqsEventSourceOptions): SqsEventSource {
  const settings = validate(options);
  const invocations: Invocation[] = [];
  let arn: Promise<string> | undefined;
  const queueArn = () => {
    arn ??= fetchQueueArn(options.client, options.queueUrl);
    return arn;
  };

  const pollOnce = async (): Promise<Invocation | undefined> => {
    const received = await options.client.send(
      new ReceiveMessageCommand({
        QueueUrl: options.queueUrl,
        MaxNumberOfMessages: settings.batchSize,
        WaitTimeSeconds: settings.waitTimeSeconds,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
        ...(options.visibilityTimeout === undefined
          ? {}
          : { VisibilityTimeout: options.visibilityTimeout }),
      }),
    );
    const messages = received.Messages ?? [];
    if (messages.length === 0) return undefined;
    const invocation = await invoke(options, messages, await queueArn());
    invocations.push(invocation);
    return invocation;
  };

  return {
    invocations,
    pollOnce,
    async drain(drainOptions = {}) {
      const idlePolls = drainOptions.idlePolls ?? EVENT_SOURCE_DEFAULTS.idlePolls;
      const maxInvocations = drainOptions.maxInvocations ?? EVENT_SOURCE_DEFAULTS.maxInvocations;
      const seen: Invocation[] = [];
      for (let idle = 0; idle < idlePolls && seen.length < maxInvocations; ) {
        const invocation = await pollOnce();
        if (invocation) seen.push(invocation);
        idle = invocation ? 0 : idle + 1;
      }
      return seen;
    },
    async runUntil(done, untilOptions = {}) {
      const timeoutMs = parseDuration(untilOptions.timeout ?? EVENT_SOURCE_DEFAULTS.until) ?? 0;
      const deadline = Date.now() + timeoutMs;
      const seen: Invocation[] = [];
      while (!done(seen)) {
        if (Date.now() > deadline) {
          throw new Error(
            `runUntil: condition not met within ${timeoutMs} ms after ${seen.length} invocations (${summary(seen)})`,
          );
        }
        const invocation = await pollOnce();
        if (invocation) seen.push(invocation);
      }
      return seen;
    },
  };
}

/** Invokes the handler with one batch, then deletes the successes and handles the failures. */
async function invoke(
  options: SqsEventSourceOptions,
  messages: Message[],
  arn: string,
): Promise<Invocation> {
  const event: SQSEvent = { Records: messages.map((message) => toLambdaRecord(message, arn)) };
  const contextOptions = {
    ...options.context,
    region: options.context?.region ?? arn.split(':')[3],
  };
  const context = createLambdaContext(contextOptions);
  const timeoutMs = parseDuration(options.context?.timeout ?? LAMBDA_CONTEXT_DEFAULTS.timeout) ?? 0;
  let response: SQSBatchResponse | undefined;
  let error: unknown;
  try {
    const returned = await withTimeout(Promise.resolve(options.handler(event, context)), timeoutMs);
    error = invalidResponse(returned, event);
    if (error === undefined) response = (returned ?? undefined) as SQSBatchResponse | undefined;
  } catch (thrown) {
    error = thrown ?? new Error('the handler threw a nullish value');
  }
  const allIds = event.Records.map((record) => record.messageId);
  const failedIds =
    error === undefined
      ? new Set(response?.batchItemFailures?.map((item) => item.itemIdentifier))
      : new Set(allIds);
  const succeeded = messages.filter((message) => !failedIds.has(message.MessageId ?? ''));
  const failed = messages.filter((message) => failedIds.has(message.MessageId ?? ''));
  await deleteMessages(options, succeeded);
  if (options.failureVisibilityTimeout !== undefined) await changeVisibility(options, failed);
  return {
    event,
    response,
    error,
    succeeded: succeeded.map((message) => message.MessageId ?? ''),
    failed: failed.map((message) => message.MessageId ?? ''),
  };
}

/**
 * Lambda fails the whole batch when a partial batch response names an empty, missing
 * or unknown `itemIdentifier`; an empty or absent response means all succeeded.
 */
function invalidResponse(response: unknown, event: SQSEvent): Error | undefined {
  if (response === undefined || response === null) return undefined;
  if (typeof response !== 'object') return new Error(`invalid response: a ${typeof response}`);
  const failures = (response as Partial<SQSBatchResponse>).batchItemFailures;
  if (failures === undefined || failures === null) return undefined;
  if (!Array.isArray(failures))
    return new Error('invalid response: batchItemFailures is not an array');
  const ids = new Set(event.Records.map((record) => record.messageId));
  const bad = failures.find(
    (item) => typeof item?.itemIdentifier !== 'string' || !ids.has(item.itemIdentifier),
  );
  return bad === undefined
    ? undefined
    : new Error(
        `invalid response: itemIdentifier ${JSON.stringify(bad?.itemIdentifier)} is not in the batch`,
      );
}

async function deleteMessages(options: SqsEventSourceOptions, messages: Message[]): Promise<void> {
  if (messages.length === 0) return;
  const result = await options.client.send(
    new DeleteMessageBatchCommand({
      QueueUrl: options.queueUrl,
      Entries: messages.map((message, index) => ({
        Id: String(index),
        ReceiptHandle: message.ReceiptHandle,
      })),
    }),
  );
  if (result.Failed?.length) {
    throw new Error(
      `DeleteMessageBatch failed for ${result.Failed.length} messages: ${result.Failed[0]?.Message}`,
    );
  }
}

async function changeVisibility(
  options: SqsEventSourceOptions,
  messages: Message[],
): Promise<void> {
  if (messages.length === 0) return;
  await options.client.send(
    new ChangeMessageVisibilityBatchCommand({
      QueueUrl: options.queueUrl,
      Entries: messages.map((message, index) => ({
        Id: String(index),
        ReceiptHandle: message.ReceiptHandle,
        VisibilityTimeout: options.failureVisibilityTimeout,
      })),
    }),
  );
}

async function fetchQueueArn(client: SQSClient, queueUrl: string): Promise<string> {
  const { Attributes } = await client.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
  );
  const name = queueUrl.split('/').pop() ?? 'queue';
  return Attributes?.QueueArn ?? `arn:aws:sqs:us-east-1:000000000000:${name}`;
}

/** Races the handler against the function timeout, as Lambda stops a function that runs over. */
async function withTimeout<T>(promise: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Task timed out after ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function validate(options: SqsEventSourceOptions): { batchSize: number; waitTimeSeconds: number } {
  checkObject('options', options);
  if (typeof (options.client as { send?: unknown } | undefined)?.send !== 'function') {
    throw new InvalidOptionError(
      'client',
      `expected an SQSClient, got ${describeValue(options.client)}`,
    );
  }
  nonEmptyString('queueUrl', options.queueUrl);
  requireFunction('handler', options.handler, 'a Lambda SQS handler');
  const batchSize = options.batchSize ?? EVENT_SOURCE_DEFAULTS.batchSize;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10) {
    throw new InvalidOptionError(
      'batchSize',
      `expected an integer from 1 to 10, got ${describeValue(batchSize)}`,
    );
  }
  const waitTimeSeconds = options.waitTimeSeconds ?? EVENT_SOURCE_DEFAULTS.waitTimeSeconds;
  if (!Number.isInteger(waitTimeSeconds) || waitTimeSeconds < 0 || waitTimeSeconds > 20) {
    throw new InvalidOptionError(
      'waitTimeSeconds',
      `expected an integer from 0 to 20, got ${describeValue(waitTimeSeconds)}`,
    );
  }
  return { batchSize, waitTimeSeconds };
}

function summary(invocations: readonly Invocation[]): string {
  const succeeded = invocations.reduce((sum, invocation) => sum + invocation.succeeded.length, 0);
  const failed = invocations.reduce((sum, invocation) => sum + invocation.failed.length, 0);
  return `${succeeded} records succeeded, ${failed} failed`;
}
