import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { OncelyLogger } from '@oncely/core';
import { DynamoDBStore } from '@oncely/dynamodb';
import type { RecordOutcome } from '@oncely/sqs';
import { createDedupConsumer } from '@oncely/sqs/worker';
import type { Consumer } from 'sqs-consumer';
import { bookShipment, orderOf } from './shipments.js';

/** What the worker runs with. */
export interface WorkerOptions {
  readonly sqs: SQSClient;
  readonly dynamo: DynamoDBClient;
  readonly queueUrl: string;
  readonly dedupTable: string;
  readonly shipmentsTable: string;
  /** Seconds; also the claim's lease. @default 30 */
  readonly visibilityTimeout?: number;
  /** Seconds between visibility and lease extensions. @default 10 */
  readonly heartbeatInterval?: number;
  readonly logger?: OncelyLogger;
  readonly onOutcome?: (outcome: RecordOutcome<string>) => void;
}

/**
 * The shipping worker: an sqs-consumer `Consumer` that books one shipment per order,
 * however often the order's message arrives. Keyed by the body's `orderId`, because a
 * producer that retries a send makes a new message with a new message ID.
 */
export function createShippingWorker(options: WorkerOptions): Consumer {
  const consumer = createDedupConsumer<string>({
    store: new DynamoDBStore({ client: options.dynamo, tableName: options.dedupTable }),
    key: { field: 'orderId' },
    ttl: '7d',
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.onOutcome ? { onOutcome: options.onOutcome } : {}),
    consumer: {
      queueUrl: options.queueUrl,
      sqs: options.sqs,
      batchSize: 10,
      // Short long-polls, so a stop that waits for the last poll finishes quickly.
      waitTimeSeconds: 5,
      pollingCompleteWaitTimeMs: 30_000,
      visibilityTimeout: options.visibilityTimeout ?? 30,
      heartbeatInterval: options.heartbeatInterval ?? 10,
    },
    handler: (message) => bookShipment(options.dynamo, options.shipmentsTable, orderOf(message)),
  });
  // Errors talking to SQS (not message failures) would otherwise go unseen.
  consumer.on('error', (error) => options.logger?.error('sqs-consumer error', { error }));
  return consumer;
}
