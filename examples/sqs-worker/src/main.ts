/**
 * Runs the shipping worker until SIGINT or SIGTERM.
 *
 *   SQS_ENDPOINT=http://127.0.0.1:9324 DYNAMODB_ENDPOINT=http://127.0.0.1:8000 npm start
 *
 * With local endpoints it makes the queue and tables first; in AWS, set `QUEUE_URL`.
 */
import { once } from 'node:events';
import { dynamoClientFor, settingsFromEnv, sqsClientFor } from './config.js';
import { setUpLocal } from './setup.js';
import { createShippingWorker } from './worker.js';

const settings = settingsFromEnv();
const sqs = sqsClientFor(settings);
const dynamo = dynamoClientFor(settings);
const local = settings.sqsEndpoint !== undefined && settings.dynamodbEndpoint !== undefined;
const queueUrl = settings.queueUrl ?? (local ? await setUpLocal(settings, sqs, dynamo) : undefined);
if (!queueUrl)
  throw new Error('Set QUEUE_URL, or SQS_ENDPOINT and DYNAMODB_ENDPOINT for local servers');

const worker = createShippingWorker({
  sqs,
  dynamo,
  queueUrl,
  dedupTable: settings.dedupTable,
  shipmentsTable: settings.shipmentsTable,
  visibilityTimeout: settings.visibilityTimeout,
  heartbeatInterval: settings.heartbeatInterval,
  logger: console,
  onOutcome: (outcome) => {
    if (outcome.status === 'processed')
      console.log(`shipped order ${outcome.key}: ${outcome.result}`);
    if (outcome.status === 'duplicate')
      console.log(`order ${outcome.key} already shipped; skipped`);
  },
});
worker.start();
console.log(`shipping worker consuming ${queueUrl}`);

const signal = await Promise.race([once(process, 'SIGINT'), once(process, 'SIGTERM')]);
console.log(`received ${String(signal[0] ?? 'signal')}; stopping`);
// Without `abort`, the consumer lets in-flight messages finish and be deleted first.
const stopped = once(worker, 'stopped');
worker.stop();
await stopped;
sqs.destroy();
dynamo.destroy();
console.log('stopped');
