import { randomUUID } from 'node:crypto';
import type { Duration } from '@oncely/core';
import { positiveDuration } from '@oncely/core/adapter';
import type { Context } from 'aws-lambda';

/** Options of {@link createLambdaContext}. */
export interface LambdaContextOptions {
  /** @default 'oncely-test' */
  readonly functionName?: string;
  /** The function's timeout: `getRemainingTimeInMillis()` counts down from it. @default '30s' */
  readonly timeout?: Duration;
  /** Where the remaining time is read from. @default Date.now */
  readonly now?: () => number;
  /** @default 'us-east-1' */
  readonly region?: string;
}

/** Defaults of {@link LambdaContextOptions}. */
export const LAMBDA_CONTEXT_DEFAULTS = {
  functionName: 'oncely-test',
  timeout: '30s',
  region: 'us-east-1',
} as const;

/**
 * A Lambda `Context` for one invocation, with a real countdown in
 * `getRemainingTimeInMillis()`, for driving handlers outside Lambda.
 *
 * @example
 * const context = createLambdaContext({ functionName: 'orders', timeout: '10s' });
 * await handler(event, context);
 */
export function createLambdaContext(options: LambdaContextOptions = {}): Context {
  const functionName = options.functionName ?? LAMBDA_CONTEXT_DEFAULTS.functionName;
  const region = options.region ?? LAMBDA_CONTEXT_DEFAULTS.region;
  const timeoutMs = positiveDuration('timeout', options.timeout, LAMBDA_CONTEXT_DEFAULTS.timeout);
  const now = options.now ?? Date.now;
  const deadline = now() + timeoutMs;
  const unsupported = () => {
    throw new Error(
      'oncely test context: callback-style completion is not supported; return a promise',
    );
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${region}:000000000000:function:${functionName}`,
    memoryLimitInMB: '128',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `oncely-test/${randomUUID()}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - now()),
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
  };
}
