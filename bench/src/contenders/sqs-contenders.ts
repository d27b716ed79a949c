import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBStore } from '@oncely/dynamodb';
import { createSqsHandler } from '@oncely/sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';

/** The record handler every contender runs: the same work, counted by the scenario. */
export type RecordWork = (record: SQSRecord) => Promise<number>;

/** One simulated Lambda instance's handler. */
export type LambdaSqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

/** What a contender's instances share. */
export interface SqsContenderDeps {
  readonly client: DynamoDBClient;
  /** The contender's own table, when {@link SqsContender.table} asked for one. */
  readonly tableName: string;
  /** Receives the cause of every record the instance reports failed. */
  readonly reportFailure: (messageId: string, cause: unknown) => void;
}

/** A contender of the Lambda SQS scenarios. */
export interface SqsContender {
  readonly name: string;
  /** The table layout it needs (`undefined`: no table). */
  readonly table: 'oncely' | 'powertools' | undefined;
  /**
   * Whom the handler runs for: once per unique message (a claim skips redeliveries),
   * or every delivery (no dedup; or transactional mode, where a redelivery's handler
   * runs and the commit discards its effects).
   */
  readonly handlerRuns: 'unique' | 'every delivery';
  /** Makes one Lambda instance's handler (instances never share per-invocation state). */
  createInstance(deps: SqsContenderDeps, work: RecordWork): LambdaSqsHandler;
}

/** The floor: the records in parallel, no dedup, every record acknowledged. */
export const noDedup: SqsContender = {
  name: 'no dedup (floor)',
  table: undefined,
  handlerRuns: 'every delivery',
  createInstance: (_deps, work) => async (event) => {
    await Promise.all(event.Records.map((record) => work(record)));
    return { batchItemFailures: [] };
  },
};

/**
 * A reference, not a product: the least a claim-then-complete design can send, by
 * hand with the SDK: a conditional `PutItem` (a duplicate stops there), the handler,
 * an `UpdateItem` to COMPLETED. No leases, fencing or error handling: it shows what
 * two writes per message allow on this machine.
 */
export const bareWrites: SqsContender = {
  name: 'bare SDK put + update (reference)',
  table: 'oncely',
  handlerRuns: 'unique',
  createInstance: ({ client, tableName }, work) => {
    const processRecord = async (record: SQSRecord) => {
      const pk = { S: `bare#${record.messageId}` };
      try {
        await client.send(
          new PutItemCommand({
            TableName: tableName,
            Item: {
              pk,
              status: { S: 'IN_PROGRESS' },
              expiresAt: { N: String(Math.ceil(Date.now() / 1000) + 86_400) },
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return;
        throw error;
      }
      await work(record);
      await client.send(
        new UpdateItemCommand({
          TableName: tableName,
          Key: { pk },
          UpdateExpression: 'SET #status = :completed',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':completed': { S: 'COMPLETED' } },
        }),
      );
    };
    return async (event) => {
      await Promise.all(event.Records.map(processRecord));
      return { batchItemFailures: [] };
    };
  },
};

function oncelyContender(
  name: string,
  mode: { readonly transactional: boolean; readonly batching: boolean },
): SqsContender {
  const { transactional, batching } = mode;
  return {
    name,
    table: 'oncely',
    handlerRuns: transactional ? 'every delivery' : 'unique',
    createInstance: ({ client, tableName, reportFailure }, work) =>
      createSqsHandler({
        store: new DynamoDBStore({ client, tableName }),
        namespace: 'bench',
        ttl: '24h',
        transactional,
        batching,
        handler: (record) => work(record),
        onOutcome: (outcome) => {
          if (outcome.status === 'failed') reportFailure(outcome.messageId, outcome.error);
        },
      }),
  };
}

/**
 * oncely's Lambda SQS handler as it comes: claim mode, batched (a batch's claims in one
 * `BatchExecuteStatement` round or two, its completions in one).
 */
export const oncelyNormal = oncelyContender('oncely (batched)', {
  transactional: false,
  batching: true,
});

/** oncely with batching off: a conditional PutItem and an UpdateItem per message, duplicate 1. */
export const oncelyPerMessage = oncelyContender('oncely per-message (batching off)', {
  transactional: false,
  batching: false,
});

/** oncely in transactional mode: one `TransactWriteItems` per message, no claim. */
export const oncelyTransactional = oncelyContender('oncely transactional', {
  transactional: true,
  batching: false,
});

/**
 * Powertools as its documentation pairs the two utilities: `makeIdempotent` on the
 * record handler, keyed by `messageId`, with `DynamoDBPersistenceLayer`, inside
 * `processPartialResponse` with a `BatchProcessor` (one per instance: it holds the
 * batch's state).
 */
export const powertools: SqsContender = {
  name: 'Powertools (makeIdempotent + processPartialResponse)',
  table: 'powertools',
  handlerRuns: 'unique',
  createInstance: ({ client, tableName, reportFailure }, work) =>
    powertoolsHandler(
      new DynamoDBPersistenceLayer({ tableName, awsSdkV3Client: client }),
      work,
      reportFailure,
    ),
};

/**
 * One Powertools instance's handler on `persistenceStore` (DynamoDB's, or the cache
 * layer on Redis): `makeIdempotent` on the record handler, keyed by `messageId`, inside
 * `processPartialResponse` with a `BatchProcessor` of its own (it holds the batch's state).
 * `keyPrefix` (Powertools' own option) keeps two contenders on one store apart.
 */
export function powertoolsHandler(
  persistenceStore: BasePersistenceLayer,
  work: RecordWork,
  reportFailure: SqsContenderDeps['reportFailure'],
  keyPrefix?: string,
): LambdaSqsHandler {
  const config = new IdempotencyConfig({
    eventKeyJmesPath: 'messageId',
    expiresAfterSeconds: 86_400,
  });
  const processor = new BatchProcessor(EventType.SQS);
  const processRecord = makeIdempotent((record: SQSRecord) => work(record), {
    persistenceStore,
    config,
    ...(keyPrefix === undefined ? {} : { keyPrefix }),
  });
  return async (event, context) => {
    config.registerLambdaContext(context);
    const response = await processPartialResponse(event, processRecord, processor, { context });
    const errors = processor.errors;
    response.batchItemFailures.forEach((failure, index) => {
      reportFailure(failure.itemIdentifier, errors[index]);
    });
    return response;
  };
}

/** Every contender, in table order. */
export const SQS_CONTENDERS: readonly SqsContender[] = [
  noDedup,
  bareWrites,
  oncelyNormal,
  oncelyPerMessage,
  oncelyTransactional,
  powertools,
];
