/**
 * SQS chaos on a real SQS server (ElasticMQ): a standard queue with a short visibility
 * timeout, competing worker processes, producer duplicates keyed by the body's event ID.
 */
import { fileURLToPath } from 'node:url';
import {
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  SendMessageBatchCommand,
} from '@aws-sdk/client-sqs';
import { runBrokerChaos } from '../broker-chaos.js';
import { localSqs } from '../local-aws.js';
import type { ChaosEnvironment, ScenarioResult } from '../scenario.js';
import type { ChaosSettings } from '../settings.js';
import type { ChaosStoreKind } from '../stores.js';
import type { RunMode } from '../verdict.js';

const workerScript = fileURLToPath(new URL('./sqs-worker.ts', import.meta.url));

const COUNTS = [
  'ApproximateNumberOfMessages',
  'ApproximateNumberOfMessagesNotVisible',
  'ApproximateNumberOfMessagesDelayed',
] as const;

/**
 * Runs the SQS scenario in one mode, on one store.
 *
 * @example
 * const result = await runSqsChaos(env, 'transactional', QUICK.sqs, 'postgres');
 */
export async function runSqsChaos(
  env: ChaosEnvironment,
  mode: RunMode,
  settings: ChaosSettings,
  store: ChaosStoreKind = 'dynamodb',
): Promise<ScenarioResult> {
  const sqs = localSqs(env.sqsEndpoint);
  const { QueueUrl: queueUrl } = await sqs.send(
    new CreateQueueCommand({
      QueueName: `chaos-${store}-${mode}-${Date.now()}`,
      Attributes: { VisibilityTimeout: String(Math.ceil(settings.leaseMs / 1000)) },
    }),
  );
  if (!queueUrl) throw new Error('CreateQueue returned no QueueUrl');
  let sent = 0;
  try {
    return await runBrokerChaos({
      env,
      mode,
      store,
      settings,
      scenario: 'sqs',
      workerScript,
      workerExtras: { sqsEndpoint: env.sqsEndpoint, queueUrl },
      async send(eventIds) {
        const { Failed } = await sqs.send(
          new SendMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: eventIds.map((eventId, i) => ({
              Id: String(i),
              MessageBody: JSON.stringify({ eventId, sentAt: Date.now() }),
            })),
          }),
        );
        if (Failed && Failed.length > 0) {
          throw new Error(`SendMessageBatch failed for ${Failed.length} messages`);
        }
        sent += eventIds.length;
      },
      async drained() {
        const { Attributes } = await sqs.send(
          new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: [...COUNTS] }),
        );
        return COUNTS.every((name) => Number(Attributes?.[name] ?? 0) === 0);
      },
      notes: async () => [`queue: ${sent} messages sent to ${queueUrl}`],
    });
  } finally {
    await sqs.send(new DeleteQueueCommand({ QueueUrl: queueUrl })).catch(() => undefined);
    sqs.destroy();
  }
}
