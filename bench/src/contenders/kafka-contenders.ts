import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStore } from '@oncely/dynamodb';
import { DynamoDBWatermarkStore } from '@oncely/dynamodb/watermark';
import {
  createEachBatchHandler,
  createEachMessageHandler,
  createWatermarkBatchHandler,
} from '@oncely/kafka/kafkajs';
import type { ConsumerRunConfig } from 'kafkajs';
import { lambdaContext } from './lambda-context.js';

/**
 * The message handler every contender runs: the same work, counted by the scenario,
 * which also checks that no position (`partition/offset`) runs twice.
 */
export type MessageWork = (position: string, value: Buffer | string | null) => Promise<number>;

/** What a contender's consumer is built from. */
export interface KafkaContenderDeps {
  readonly client: DynamoDBClient;
  /** The contender's own table, when it asked for one. */
  readonly tableName: string;
  /** A new group per run, so every run reads the topic from the start. */
  readonly groupId: string;
}

/** A contender of the Kafka scenario: how it configures `consumer.run`. */
export interface KafkaContender {
  readonly name: string;
  /**
   * Per-message store writes make a contender a hundred times slower than kafkajs
   * alone: it reads a prefix of the topic, the cheap ones read all of it, so each
   * run lasts long enough to time.
   */
  readonly cost: 'per message' | 'per batch';
  readonly table: 'oncely' | 'powertools' | undefined;
  runConfig(deps: KafkaContenderDeps, work: MessageWork): ConsumerRunConfig;
}

/** kafkajs alone: `eachMessage`, no dedup. */
export const bareKafkajs: KafkaContender = {
  name: 'bare kafkajs (eachMessage)',
  cost: 'per batch',
  table: undefined,
  runConfig: (_deps, work) => ({
    eachMessage: async ({ partition, message }) => {
      await work(`${partition}/${message.offset}`, message.value);
    },
  }),
};

/** oncely's `eachMessage` wrapper: a claim and a completion per message, in turn. */
export const oncelyEachMessage: KafkaContender = {
  name: 'oncely per-message (eachMessage)',
  cost: 'per message',
  table: 'oncely',
  runConfig: ({ client, tableName, groupId }, work) => ({
    eachMessage: createEachMessageHandler({
      store: new DynamoDBStore({ client, tableName }),
      groupId,
      ttl: '24h',
      handler: ({ partition, message }) => work(`${partition}/${message.offset}`, message.value),
    }),
  }),
};

/** oncely's `eachBatch` wrapper: per-message claims run ahead while handlers run in order. */
export const oncelyEachBatch: KafkaContender = {
  name: 'oncely per-message (eachBatch, claims ahead)',
  cost: 'per message',
  table: 'oncely',
  runConfig: ({ client, tableName, groupId }, work) => ({
    eachBatchAutoResolve: false,
    eachBatch: createEachBatchHandler({
      store: new DynamoDBStore({ client, tableName }),
      groupId,
      ttl: '24h',
      eachBatchAutoResolve: false,
      handler: ({ partition, message }) => work(`${partition}/${message.offset}`, message.value),
    }),
  }),
};

/** oncely's partition-watermark mode: one read and one conditional write per partition per batch. */
export const oncelyWatermark: KafkaContender = {
  name: 'oncely watermark (eachBatch)',
  cost: 'per batch',
  table: 'oncely',
  runConfig: ({ client, tableName, groupId }, work) => ({
    eachBatchAutoResolve: false,
    eachBatch: createWatermarkBatchHandler({
      watermarks: new DynamoDBWatermarkStore({ client, tableName }),
      groupId,
      eachBatchAutoResolve: false,
      handler: ({ partition, message }) => work(`${partition}/${message.offset}`, message.value),
    }),
  }),
};

/**
 * kafkajs with Powertools' `makeIdempotent` per message, keyed like oncely's default
 * (`topic/partition/offset`, prefixed by the group), on `DynamoDBPersistenceLayer`.
 * Outside Lambda it needs a registered context, or it warns on every call.
 */
export const kafkajsPowertools: KafkaContender = {
  name: 'kafkajs + Powertools makeIdempotent (eachMessage)',
  cost: 'per message',
  table: 'powertools',
  runConfig: ({ client, tableName, groupId }, work) => {
    const config = new IdempotencyConfig({ eventKeyJmesPath: 'key', expiresAfterSeconds: 86_400 });
    config.registerLambdaContext(lambdaContext(60 * 60_000));
    const processOnce = makeIdempotent(
      (record: { key: string; position: string; value: string }) =>
        work(record.position, record.value),
      {
        persistenceStore: new DynamoDBPersistenceLayer({ tableName, awsSdkV3Client: client }),
        config,
        keyPrefix: groupId,
      },
    );
    return {
      eachMessage: async ({ topic, partition, message }) => {
        const position = `${partition}/${message.offset}`;
        const key = `${topic}/${position}`;
        await processOnce({ key, position, value: message.value?.toString() ?? '' });
      },
    };
  },
};

/** Every contender, in table order. */
export const KAFKA_CONTENDERS: readonly KafkaContender[] = [
  bareKafkajs,
  oncelyEachMessage,
  oncelyEachBatch,
  oncelyWatermark,
  kafkajsPowertools,
];
