/**
 * One competing SQS worker of a chaos run: an sqs-consumer wrapped by oncely, keyed by
 * the event ID in the body (so producer duplicates are caught), its store behind the
 * fault proxy, its events in its own JSONL log. Started by the pool; killed by the monkey.
 */
import { createDedupConsumer } from '@oncely/sqs/worker';
import { localSqs } from '../local-aws.js';
import { errorName, onTerminate, startWorker, type WorkerBaseConfig } from '../worker-runtime.js';

/** What an SQS worker is told. */
export interface SqsWorkerConfig extends WorkerBaseConfig {
  readonly sqsEndpoint: string;
  readonly queueUrl: string;
}

const { config, log, inFlight, store, run } = await startWorker<SqsWorkerConfig>();

const consumer = createDedupConsumer({
  store,
  namespace: config.namespace,
  lease: config.leaseMs,
  transactional: config.mode === 'transactional',
  key: config.brokerKeys ? 'messageId' : { field: 'eventId' },
  onEvent: log.event,
  onOutcome: (outcome) =>
    log.write({
      t: 'outcome',
      status: outcome.status,
      ...(outcome.status === 'failed' ? { error: errorName(outcome.error) } : {}),
    }),
  consumer: {
    queueUrl: config.queueUrl,
    sqs: localSqs(config.sqsEndpoint),
    batchSize: 10,
    // Short on purpose: a killed or slow worker's messages come back within seconds.
    visibilityTimeout: Math.ceil(config.leaseMs / 1000),
    waitTimeSeconds: 1,
    pollingWaitTimeMs: 0,
  },
  // The ledger records the event the message carries, whatever oncely keys it by.
  handler: (message, context) => run(eventIdOf(message.Body), context),
});
consumer.on('message_received', (message) => {
  log.write({
    t: 'delivery',
    receiveCount: Number(message.Attributes?.ApproximateReceiveCount ?? 1),
  });
});
consumer.on('error', (error) => console.error(`[${config.name}] consumer error:`, error.message));
consumer.start();

function eventIdOf(body: string | undefined): string {
  return (JSON.parse(body ?? '{}') as { eventId: string }).eventId;
}

onTerminate(async () => {
  consumer.stop();
  await inFlight.idle(5_000);
});
