/**
 * The same function with Powertools' batch utility: `createRecordHandler` is the record
 * handler, and `processPartialResponse` builds the partial batch response.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { createRecordHandler } from '@oncely/sqs';
import type { Context, SQSEvent } from 'aws-lambda';
import { dynamo, settings, store } from './config.js';
import { creditBalance, paymentOf } from './payments.js';

const processor = new BatchProcessor(EventType.SQS);

const recordHandler = createRecordHandler({
  store,
  key: { field: 'paymentId' },
  ttl: '7d',
  logger: console,
  handler: (record) => creditBalance(dynamo, settings.balancesTable, paymentOf(record)),
});

export const handler = async (event: SQSEvent, context: Context) =>
  // `context` lets oncely cap the lease by the time left and name the namespace.
  processPartialResponse(event, recordHandler, processor, {
    context,
    throwOnFullBatchFailure: false,
  });
