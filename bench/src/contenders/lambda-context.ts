import type { Context } from 'aws-lambda';

/**
 * A Lambda context for running handlers in-process: what Powertools and oncely read
 * from it is the remaining time (the lease cap) and the request ID.
 *
 * @param timeoutMs - the function's timeout; the remaining time counts down from the
 *   moment the context is made, as in a real invocation. @default 30000
 * @example
 * await handler(event, lambdaContext());
 */
export function lambdaContext(timeoutMs = 30_000): Context {
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'oncely-bench',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:oncely-bench',
    memoryLimitInMB: '1024',
    awsRequestId: `bench-${deadline}`,
    logGroupName: '/aws/lambda/oncely-bench',
    logStreamName: 'bench',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
