import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStore } from '@oncely/dynamodb';
import { DynamoDBWatermarkStore } from '@oncely/dynamodb/watermark';
import type { MemberMode } from '@oncely/test-support/kafka-clients';
import { lambdaContext } from './lambda-context.js';

/**
 * The message handler every contender runs: the same work, counted by the scenario,
 * which also checks that no position (`partition/offset`) runs twice.
 */
export type MessageWork = (position: string, value: Buffer | string | null) => Promise<number>;

/** The Kafka clients the scenario compares, each through its oncely binding. */
export type KafkaClientName = 'kafkajs' | 'confluent' | 'platformatic';

/** What a contender's member is built from. */
export interface KafkaContenderDeps {
  readonly client: DynamoDBClient;
  /** The contender's own table, when it asked for one. */
  readonly tableName: string;
  /** A new group per run, so every run reads the topic from the start. */
  readonly groupId: string;
}

/** A contender of the Kafka scenario: a client, and the mode its member runs. */
export interface KafkaContender {
  readonly name: string;
  readonly client: KafkaClientName;
  /**
   * Per-message store writes make a contender a hundred times slower than the client
   * alone: it reads a prefix of the topic, the cheap ones read all of it, so each
   * run lasts long enough to time.
   */
  readonly cost: 'per message' | 'per batch';
  readonly table: 'oncely' | 'powertools' | undefined;
  mode(deps: KafkaContenderDeps, work: MessageWork): MemberMode;
}

const workOf =
  (work: MessageWork) =>
  ({ partition, message }: { partition: number; message: { offset: string; value: unknown } }) =>
    work(`${partition}/${message.offset}`, message.value as Buffer | string | null);

/** The client alone, one message at a time, no dedup: each client's baseline. */
export function bareClient(client: KafkaClientName): KafkaContender {
  return {
    name: `bare ${client}`,
    client,
    cost: 'per batch',
    table: undefined,
    mode: (_deps, work) => ({ kind: 'bare', handler: workOf(work) }),
  };
}

/** oncely's per-message records, claimed ahead within each fetched batch. */
export function oncelyPerMessage(client: KafkaClientName): KafkaContender {
  return {
    name: `oncely per-message (${client}, claims ahead)`,
    client,
    cost: 'per message',
    table: 'oncely',
    mode: ({ client: dynamo, tableName, groupId }, work) => ({
      kind: 'batch',
      options: {
        store: new DynamoDBStore({ client: dynamo, tableName }),
        groupId,
        ttl: '24h',
        handler: workOf(work),
      },
    }),
  };
}

/** oncely's partition-watermark mode: one read and one conditional write per partition per batch. */
export function oncelyWatermark(client: KafkaClientName): KafkaContender {
  return {
    name: `oncely watermark (${client})`,
    client,
    cost: 'per batch',
    table: 'oncely',
    mode: ({ client: dynamo, tableName, groupId }, work) => ({
      kind: 'watermark',
      options: {
        watermarks: new DynamoDBWatermarkStore({ client: dynamo, tableName }),
        groupId,
        handler: workOf(work),
      },
    }),
  };
}

/** kafkajs `eachMessage` under oncely: a claim and a completion per message, in turn. */
export const oncelyEachMessage: KafkaContender = {
  name: 'oncely per-message (kafkajs eachMessage)',
  client: 'kafkajs',
  cost: 'per message',
  table: 'oncely',
  mode: ({ client, tableName, groupId }, work) => ({
    kind: 'message',
    options: {
      store: new DynamoDBStore({ client, tableName }),
      groupId,
      ttl: '24h',
      handler: workOf(work),
    },
  }),
};

/**
 * kafkajs with Powertools' `makeIdempotent` per message, keyed like oncely's default
 * (`topic/partition/offset`, prefixed by the group), on `DynamoDBPersistenceLayer`.
 * Outside Lambda it needs a registered context, or it warns on every call.
 */
export const kafkajsPowertools: KafkaContender = {
  name: 'kafkajs + Powertools makeIdempotent (eachMessage)',
  client: 'kafkajs',
  cost: 'per message',
  table: 'powertools',
  mode: ({ client, tableName, groupId }, work) => {
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
      kind: 'bare',
      handler: async ({ topic, partition, message }) => {
        const position = `${partition}/${message.offset}`;
        const key = `${topic}/${position}`;
        await processOnce({ key, position, value: message.value?.toString() ?? '' });
      },
    };
  },
};

/** The rows every client gets: the bare client, oncely per message, oncely watermark. */
export function clientContenders(client: KafkaClientName): KafkaContender[] {
  return [bareClient(client), oncelyPerMessage(client), oncelyWatermark(client)];
}

/** Every contender, in table order: per client, then kafkajs's extra rows. */
export const KAFKA_CONTENDERS: readonly KafkaContender[] = [
  ...clientContenders('kafkajs'),
  oncelyEachMessage,
  kafkajsPowertools,
  ...clientContenders('confluent'),
  ...clientContenders('platformatic'),
];

/** A contender by its name (the child process gets names, not objects). */
export function contenderNamed(name: string): KafkaContender {
  const contender = KAFKA_CONTENDERS.find((c) => c.name === name);
  if (contender === undefined) throw new Error(`no Kafka contender named ${name}`);
  return contender;
}
