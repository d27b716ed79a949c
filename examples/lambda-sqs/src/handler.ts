/**
 * The payments function: credits each payment once, however often SQS delivers it.
 *
 * - `key: { field: 'paymentId' }`: a producer that retries a send makes a new SQS
 *   message (new message ID) with the same `paymentId`, so the body's ID is the key.
 * - Failed records go back in `batchItemFailures` (the event source mapping needs
 *   `FunctionResponseTypes: [ReportBatchItemFailures]`); a body without a `paymentId`
 *   fails on every receive and the queue's redrive policy moves it to the DLQ.
 * - The namespace is the function's name; the lease is capped by the time left.
 */
import { createSqsHandler } from '@oncely/sqs';
import type { SQSHandler } from 'aws-lambda';
import { dynamo, settings, store } from './config.js';
import { creditBalance, paymentOf } from './payments.js';

export const handler = createSqsHandler({
  store,
  key: { field: 'paymentId' },
  ttl: '7d',
  logger: console,
  handler: (record) => creditBalance(dynamo, settings.balancesTable, paymentOf(record)),
}) satisfies SQSHandler;
