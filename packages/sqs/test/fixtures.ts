import { InvalidOptionError, type OncelyLogger } from '@oncely/core';
import type { Context, SQSRecord } from 'aws-lambda';
import { expect } from 'vitest';
import { createSqsRecord, type SqsRecordOptions } from '../src/testing/index.js';

/** An SQS record as Lambda delivers it (message attributes as `attributes`). */
export function record(
  messageId: string,
  options: Omit<SqsRecordOptions, 'messageAttributes'> & {
    readonly attributes?: SqsRecordOptions['messageAttributes'];
  } = {},
): SQSRecord {
  const { attributes, ...rest } = options;
  return createSqsRecord(messageId, {
    ...rest,
    ...(attributes ? { messageAttributes: attributes } : {}),
  });
}

export { createSqsEvent as event } from '../src/testing/index.js';

/** A Lambda context whose remaining time is fixed. */
export function lambdaContext(
  options: { functionName?: string; remainingMs?: number } = {},
): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: options.functionName ?? 'orders-fn',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:orders-fn',
    memoryLimitInMB: '128',
    awsRequestId: 'request-1',
    logGroupName: '/aws/lambda/orders-fn',
    logStreamName: 'stream',
    getRemainingTimeInMillis: () => options.remainingMs ?? 60_000,
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}

/** A logger that keeps every line for assertions. */
export function recordingLogger(): OncelyLogger & {
  readonly lines: { level: string; message: string; context?: Record<string, unknown> }[];
} {
  const lines: { level: string; message: string; context?: Record<string, unknown> }[] = [];
  const log = (level: string) => (message: string, context?: Record<string, unknown>) => {
    lines.push({ level, message, ...(context ? { context } : {}) });
  };
  return { lines, debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

/** The failed message IDs of a batch response. */
export function failedIds(response: { batchItemFailures: { itemIdentifier: string }[] }): string[] {
  return response.batchItemFailures.map((item) => item.itemIdentifier);
}

/** A promise with its resolver, to hold a handler mid-run. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

/** Asserts that `make` throws `InvalidOptionError` naming `option`. */
export function expectInvalidOption(make: () => unknown, option: string): void {
  let error: unknown;
  try {
    make();
  } catch (thrown) {
    error = thrown;
  }
  expect(error, option).toBeInstanceOf(InvalidOptionError);
  expect(error, option).toMatchObject({ option });
}
