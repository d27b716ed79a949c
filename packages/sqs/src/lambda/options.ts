import { type Duration, InvalidOptionError, parseDuration, type RunContext } from '@oncely/core';
import { describeValue, requireFunction } from '@oncely/core/adapter';
import type { Context, SQSRecord } from 'aws-lambda';
import { type ResolvedSqsOptions, resolveSqsOptions, type SqsDedupOptions } from '../options.js';

/** What a Lambda record handler receives besides the record. */
export interface SqsRecordContext extends RunContext {
  readonly messageId: string;
  /** `ApproximateReceiveCount`: 1 on the first delivery. */
  readonly receiveCount: number | undefined;
  /** The invocation's Lambda context (absent in Powertools when no `context` is passed). */
  readonly lambdaContext: Context | undefined;
}

/** A per-record handler: throw to fail the record (it is redelivered). */
export type SqsRecordHandler<T> = (record: SQSRecord, context: SqsRecordContext) => Promise<T> | T;

/** Options the Lambda forms add to {@link SqsDedupOptions}. */
export interface LambdaDedupOptions<T> extends SqsDedupOptions<SQSRecord, T> {
  /**
   * A record is not started when the invocation has this little time left; it is
   * reported failed instead, so the batch returns before Lambda's timeout and keeps
   * its successes. Each run's lease is the smaller of `lease` and the remaining time.
   * @default '1s'
   */
  readonly timeoutMargin?: Duration;
}

/** Defaults the Lambda forms add to {@link SQS_DEFAULTS}. */
export const LAMBDA_DEFAULTS = {
  timeoutMargin: '1s',
} as const;

/** Lambda options after validation. Internal. */
export interface ResolvedLambdaOptions<T> extends ResolvedSqsOptions<SQSRecord, T> {
  readonly timeoutMarginMs: number;
}

/** Validates the Lambda options once, at construction. */
export function resolveLambdaOptions<T>(options: LambdaDedupOptions<T>): ResolvedLambdaOptions<T> {
  const shared = resolveSqsOptions(options);
  const margin = options.timeoutMargin ?? LAMBDA_DEFAULTS.timeoutMargin;
  const timeoutMarginMs = parseDuration(margin);
  if (timeoutMarginMs === undefined || timeoutMarginMs < 0) {
    throw new InvalidOptionError(
      'timeoutMargin',
      `expected a duration such as '1s' or 500 (0 or more), got ${describeValue(margin)}`,
    );
  }
  return { ...shared, timeoutMarginMs };
}

/** Validates the per-record `handler` option. */
export function assertHandler(handler: unknown): void {
  requireFunction('handler', handler, 'a function (record, context) => result');
}
