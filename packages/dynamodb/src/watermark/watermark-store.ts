import {
  type AttributeValue,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import {
  type AdvanceOutcome,
  StoreError,
  type StoreOperation,
  type Watermark,
  type WatermarkStore,
  type WatermarkUpdate,
} from '@oncely/core';
import { checkObject } from '@oncely/core/adapter';
import { dynamoStoreError } from '../faults.js';
import {
  assertAttributeName,
  assertClient,
  resolveSortKey,
  resolveTableName,
  type SortKey,
} from '../options.js';

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
  readonly sortKey?: SortKey;
}

/** Defaults of {@link DynamoDBWatermarkStoreOptions}, and the attributes a watermark item holds. */
export const DYNAMODB_WATERMARK_DEFAULTS = {
  keyAttribute: 'pk',
  sortKey: undefined,
  /** Item attributes: the offset (a Number), the owner token, the write time (epoch ms). */
  attributes: { offset: 'watermark', owner: 'watermarkOwner', updatedAt: 'watermarkUpdatedAt' },
} as const;

const A = DYNAMODB_WATERMARK_DEFAULTS.attributes;

/** The contract's operations, as core's `StoreError` names them. */
const OPERATION = { read: 'get', advance: 'commit', delete: 'delete' } as const satisfies Record<
  string,
  StoreOperation
>;

/**
 * Watermarks in a DynamoDB table: one item per group, topic and partition, moved
 * forward by one conditional `UpdateItem` (`attribute_not_exists OR offset < :new`)
 * and read with `ConsistentRead`. The items carry no `expiresAt`, so the table's
 * TTL never removes them: a lost watermark would let its messages run again.
 *
 * Failures are the same errors as `DynamoDBStore`'s: a `StoreError` (`read` as `get`,
 * `advance` as `commit`) whose `retryable` follows `isRetryableFault` (from `@oncely/dynamodb`), or a
 * `TableNotFoundError` for a missing table.
 *
 * @example
 * import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
 * import { DynamoDBWatermarkStore } from '@oncely/dynamodb/watermark';
 *
 * const watermarks = new DynamoDBWatermarkStore({ client: new DynamoDBClient({}), tableName: 'oncely' });
 */
export class DynamoDBWatermarkStore implements WatermarkStore {
  readonly name: string;
  private readonly client: DynamoDBClient;
  private readonly tableName: string;
  private readonly keyAttribute: string;
  private readonly sortKey: SortKey | undefined;

  constructor(options: DynamoDBWatermarkStoreOptions) {
    checkObject('options', options);
    assertClient(options.client);
    this.tableName = resolveTableName(options.tableName);
    const keyAttribute = options.keyAttribute ?? DYNAMODB_WATERMARK_DEFAULTS.keyAttribute;
    assertAttributeName('keyAttribute', keyAttribute);
    this.keyAttribute = keyAttribute;
    this.sortKey = resolveSortKey(options.sortKey, [keyAttribute, ...Object.values(A)]);
    this.client = options.client;
    this.name = `dynamodb-watermarks:${this.tableName}`;
  }

  async read(key: string): Promise<Watermark | undefined> {
    const output = await this.call('read', key, () =>
      this.client.send(
        new GetItemCommand({ TableName: this.tableName, Key: this.key(key), ConsistentRead: true }),
      ),
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
        throw this.fault('advance', key, error);
      }
      const old = (error as { Item?: Record<string, AttributeValue> }).Item;
      // An endpoint that does not return the old item: one extra read, only on this rare path.
      const current = old === undefined ? await this.read(key) : decode(old);
      if (current === undefined) {
        // Refused, then gone (an operator deleted it in between): the same write may
        // succeed now, so this one failure is retryable whatever its cause says.
        throw new StoreError(
          `Store "${this.name}" refused to advance "${key}" to ${update.offset}, then found no watermark: it was deleted in between; retry`,
          OPERATION.advance,
          true,
          { storeKey: key, cause: error },
        );
      }
      return { advanced: false, current };
    }
  }

  async delete(key: string): Promise<void> {
    await this.call('delete', key, () =>
      this.client.send(new DeleteItemCommand({ TableName: this.tableName, Key: this.key(key) })),
    );
  }

  private async call<T>(
    operation: 'read' | 'delete',
    key: string,
    run: () => Promise<T>,
  ): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw this.fault(operation, key, error);
    }
  }

  /** The same classification and errors as `DynamoDBStore`'s, so one rule decides retries. */
  private fault(operation: keyof typeof OPERATION, key: string, cause: unknown) {
    return dynamoStoreError(cause, {
      operation: OPERATION[operation],
      storeKey: key,
      tableName: this.tableName,
      storeName: this.name,
    });
  }

  private key(key: string): Record<string, AttributeValue> {
    return {
      [this.keyAttribute]: { S: key },
      ...(this.sortKey === undefined ? {} : { [this.sortKey.name]: { S: this.sortKey.value } }),
    };
  }
}

function decode(item: Record<string, AttributeValue>): Watermark {
  return {
    offset: item[A.offset]?.N ?? '-1',
    owner: item[A.owner]?.S ?? '',
    updatedAt: Number(item[A.updatedAt]?.N ?? 0),
  };
}
