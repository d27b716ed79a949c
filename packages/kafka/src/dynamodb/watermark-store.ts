import {
  type AttributeValue,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { InvalidOptionError } from '@oncely/core';
import { callWatermarks, watermarkFault } from '../watermark/call.js';
import type {
  AdvanceOutcome,
  Watermark,
  WatermarkStore,
  WatermarkUpdate,
} from '../watermark/store.js';

/** Options of {@link DynamoDBWatermarkStore}. */
export interface DynamoDBWatermarkStoreOptions {
  /** A client you own; the store never destroys it. */
  readonly client: DynamoDBClient;
  /** The table: the same one as the `DynamoDBStore` records fits (keys never collide). */
  readonly tableName: string;
  /**
   * The table's partition-key attribute (a string).
   * @default 'pk'
   */
  readonly keyAttribute?: string;
  /**
   * A static sort key, for tables whose primary key has one.
   * @default undefined
   */
  readonly sortKey?: { readonly name: string; readonly value: string };
}

/** Defaults of {@link DynamoDBWatermarkStoreOptions}, and the attributes a watermark item holds. */
export const DYNAMODB_WATERMARK_DEFAULTS = {
  keyAttribute: 'pk',
  sortKey: undefined,
  /** Item attributes: the offset (a Number), the owner token, the write time (epoch ms). */
  attributes: { offset: 'watermark', owner: 'watermarkOwner', updatedAt: 'watermarkUpdatedAt' },
} as const;

const A = DYNAMODB_WATERMARK_DEFAULTS.attributes;
// Errors worth retrying: throttling, timeouts, and DynamoDB's own 5xx.
const RETRYABLE =
  /Throttl|ProvisionedThroughputExceeded|RequestLimitExceeded|InternalServerError|ServiceUnavailable|TimeoutError|ECONNRESET|ECONNREFUSED/;

/**
 * Watermarks in a DynamoDB table: one item per group, topic and partition, moved
 * forward by one conditional `UpdateItem` (`attribute_not_exists OR offset < :new`)
 * and read with `ConsistentRead`. The items carry no `expiresAt`, so the table's
 * TTL never removes them: a lost watermark would let its messages run again.
 *
 * @example
 * import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
 * import { DynamoDBWatermarkStore } from '@oncely/kafka/dynamodb';
 *
 * const watermarks = new DynamoDBWatermarkStore({ client: new DynamoDBClient({}), tableName: 'oncely' });
 */
export class DynamoDBWatermarkStore implements WatermarkStore {
  readonly name: string;
  private readonly client: DynamoDBClient;
  private readonly tableName: string;
  private readonly keyAttribute: string;
  private readonly sortKey: { readonly name: string; readonly value: string } | undefined;

  constructor(options: DynamoDBWatermarkStoreOptions) {
    if (options === null || typeof options !== 'object') {
      throw new InvalidOptionError('options', 'expected an object');
    }
    if (typeof (options.client as { send?: unknown } | undefined)?.send !== 'function') {
      throw new InvalidOptionError(
        'client',
        'expected a DynamoDBClient from @aws-sdk/client-dynamodb',
      );
    }
    if (
      typeof options.tableName !== 'string' ||
      !/^[a-zA-Z0-9_.-]{3,255}$/.test(options.tableName)
    ) {
      throw new InvalidOptionError(
        'tableName',
        `expected a DynamoDB table name, got ${String(options.tableName)}`,
      );
    }
    const keyAttribute = options.keyAttribute ?? DYNAMODB_WATERMARK_DEFAULTS.keyAttribute;
    if (typeof keyAttribute !== 'string' || keyAttribute.length === 0) {
      throw new InvalidOptionError('keyAttribute', 'expected a non-empty attribute name');
    }
    const { sortKey } = options;
    if (
      sortKey !== undefined &&
      (typeof sortKey?.name !== 'string' ||
        !sortKey.name ||
        typeof sortKey.value !== 'string' ||
        !sortKey.value)
    ) {
      throw new InvalidOptionError('sortKey', 'expected { name, value } of non-empty strings');
    }
    this.client = options.client;
    this.tableName = options.tableName;
    this.keyAttribute = keyAttribute;
    this.sortKey = sortKey;
    this.name = `dynamodb-watermarks:${options.tableName}`;
  }

  async read(key: string): Promise<Watermark | undefined> {
    const output = await callWatermarks(
      this.name,
      'read',
      key,
      () =>
        this.client.send(
          new GetItemCommand({
            TableName: this.tableName,
            Key: this.key(key),
            ConsistentRead: true,
          }),
        ),
      isRetryable,
    );
    return output.Item === undefined ? undefined : decode(output.Item);
  }

  async advance(key: string, update: WatermarkUpdate): Promise<AdvanceOutcome> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: this.key(key),
          UpdateExpression: 'SET #offset = :offset, #owner = :owner, #updatedAt = :updatedAt',
          ConditionExpression: 'attribute_not_exists(#offset) OR #offset < :offset',
          ExpressionAttributeNames: {
            '#offset': A.offset,
            '#owner': A.owner,
            '#updatedAt': A.updatedAt,
          },
          ExpressionAttributeValues: {
            ':offset': { N: update.offset },
            ':owner': { S: update.owner },
            ':updatedAt': { N: String(update.now) },
          },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { advanced: true };
    } catch (error) {
      if ((error as { name?: unknown } | null)?.name !== 'ConditionalCheckFailedException') {
        throw watermarkFault(this.name, 'advance', key, error, isRetryable(error));
      }
      const old = (error as { Item?: Record<string, AttributeValue> }).Item;
      // An endpoint that does not return the old item: one extra read, only on this rare path.
      const current = old === undefined ? await this.read(key) : decode(old);
      // Refused, then gone (an operator deleted it in between): the same write may succeed now.
      if (current === undefined) throw watermarkFault(this.name, 'advance', key, error, true);
      return { advanced: false, current };
    }
  }

  async delete(key: string): Promise<void> {
    await callWatermarks(
      this.name,
      'delete',
      key,
      () =>
        this.client.send(new DeleteItemCommand({ TableName: this.tableName, Key: this.key(key) })),
      isRetryable,
    );
  }

  private key(key: string): Record<string, AttributeValue> {
    return {
      [this.keyAttribute]: { S: key },
      ...(this.sortKey === undefined ? {} : { [this.sortKey.name]: { S: this.sortKey.value } }),
    };
  }
}

/** Throttling, timeouts and DynamoDB's own 5xx are worth retrying. */
function isRetryable(error: unknown): boolean {
  const name = (error as { name?: unknown } | null)?.name;
  const status = (error as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata
    ?.httpStatusCode;
  return (
    (typeof name === 'string' && RETRYABLE.test(name)) || (status !== undefined && status >= 500)
  );
}

function decode(item: Record<string, AttributeValue>): Watermark {
  return {
    offset: item[A.offset]?.N ?? '-1',
    owner: item[A.owner]?.S ?? '',
    updatedAt: Number(item[A.updatedAt]?.N ?? 0),
  };
}
