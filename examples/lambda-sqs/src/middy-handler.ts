/**
 * The same function as a middy batch handler: `sqsDedupMiddleware` claims every record
 * before the handler runs, so the handler only sees payments not credited yet, and it
 * reports its own failures in `batchItemFailures`.
 */
import middy from '@middy/core';
import { sqsDedupMiddleware } from '@oncely/sqs/middy';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { dynamo, settings, store } from './config.js';
import { creditBalance, paymentOf } from './payments.js';

async function creditAll(event: SQSEvent): Promise<SQSBatchResponse> {
  const results = await Promise.allSettled(
    event.Records.map((record) => creditBalance(dynamo, settings.balancesTable, paymentOf(record))),
  );
  return {
    batchItemFailures: event.Records.filter(
      (_, index) => results[index]?.status === 'rejected',
    ).map((record) => ({ itemIdentifier: record.messageId })),
  };
}

export const handler = middy<SQSEvent, SQSBatchResponse>()
  .use(sqsDedupMiddleware({ store, key: { field: 'paymentId' }, ttl: '7d', logger: console }))
  .handler(creditAll);
