import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { OncelyEvent } from '@oncely/core';
import { DynamoDBStore } from '@oncely/dynamodb';
import { createEachBatchHandler } from '@oncely/kafka/kafkajs';
import { type Consumer, type Kafka, Partitioners, type Producer } from 'kafkajs';
import { applyPayment, parsePayment } from './balances.js';

/** What {@link startMember} needs. */
export interface MemberOptions {
  readonly kafka: Kafka;
  readonly dynamo: DynamoDBClient;
  readonly tableName: string;
  readonly balancesTable: string;
  readonly topic: string;
  readonly deadLetterTopic: string;
  readonly groupId: string;
  /** Short group timeouts make rebalances quick (tests, demos); production keeps the defaults. */
  readonly sessionTimeout?: number;
  readonly heartbeatInterval?: number;
  readonly onEvent?: (event: OncelyEvent) => void;
}

/** A running member of the consumer group. */
export interface Member {
  readonly consumer: Consumer;
  /** Leaves the group: its partitions move to the other members. */
  stop(): Promise<void>;
}

/**
 * Starts one member of the consumer group. Each payment is keyed by its
 * `paymentId` (so a producer's retry, at a new offset, is a duplicate too), and
 * its DynamoDB writes commit in one transaction with the oncely record. A message
 * that is not JSON, or has no `paymentId`, goes to the dead-letter topic with where
 * it came from.
 */
export async function startMember(options: MemberOptions): Promise<Member> {
  const { kafka, topic, groupId, balancesTable } = options;
  const sessionTimeout = options.sessionTimeout ?? 30_000;
  const heartbeatInterval = options.heartbeatInterval ?? 3_000;
  const deadLetters: Producer = kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await deadLetters.connect();
  const consumer = kafka.consumer({
    groupId,
    sessionTimeout,
    heartbeatInterval,
    rebalanceTimeout: sessionTimeout,
  });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    // oncely resolves each offset itself, so a batch cut short never resolves the rest.
    eachBatchAutoResolve: false,
    eachBatch: createEachBatchHandler({
      store: new DynamoDBStore({ client: options.dynamo, tableName: options.tableName }),
      groupId,
      transactional: true,
      key: { field: 'paymentId' },
      ttl: '7d',
      sessionTimeout,
      heartbeatInterval,
      eachBatchAutoResolve: false,
      ...(options.onEvent ? { onEvent: options.onEvent } : {}),
      handler: ({ message }, context) => {
        applyPayment(context, balancesTable, parsePayment(message.value));
      },
      deadLetter: async ({ message, partition }, error) => {
        await deadLetters.send({
          topic: options.deadLetterTopic,
          messages: [
            {
              value: message.value,
              headers: {
                'x-source': `${topic}/${partition}/${message.offset}`,
                'x-error': `${error.problem}: ${error.message}`,
              },
            },
          ],
        });
      },
    }),
  });
  return {
    consumer,
    async stop() {
      await consumer.disconnect();
      await deadLetters.disconnect();
    },
  };
}
