import {
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import {
  type BatchResults,
  type ClaimItem,
  type ClaimOptions,
  type ClaimOutcome,
  type CommitOptions,
  type CommitOutcome,
  type CompleteItem,
  type CompleteOptions,
  claimRecord,
  type DedupRecord,
  type DedupStore,
  type ExtendOptions,
  expiresAtFor,
  type FencedOutcome,
  isExpired,
  type ReleaseItem,
} from '@oncely/core';
import { claimMany } from './batch-claim.js';
import { completeMany, FINGERPRINT_ALLOWANCE_BYTES, releaseMany } from './batch-fenced.js';
import { resolveBatchOptions } from './batch-options.js';
import { classifyTaken } from './classify.js';
import { commitTransaction } from './commit.js';
import type { StatementLimits } from './execute-statements.js';
import { buildExpressions, claimValues } from './expressions.js';
import {
  type DynamoDBStoreOptions,
  type ResolvedStoreOptions,
  resolveStoreOptions,
} from './options.js';
import { BatchStatements } from './partiql.js';
import { type Item, RecordItemCodec } from './record-item.js';
import {
  assertItemFits,
  attempt,
  blockingRecord,
  fault,
  readRecord,
  type TableContext,
} from './table.js';

/**
 * A {@link DedupStore} on one DynamoDB table.
 *
 * - claim: one conditional `PutItem` (absent, expired, or IN_PROGRESS with its lease
 *   over); a duplicate or a live claim is answered from the refused write's old item,
 *   so it costs one request and no read
 * - complete, release, extend: conditional on the owner token (fencing)
 * - commit (transactional mode): the COMPLETED record and the handler's writes in one
 *   `TransactWriteItems`
 *
 * Expiry is always checked in the conditions, never left to TTL deletion (which lags).
 *
 * @example
 * import { DynamoDBStore } from '@oncely/dynamodb';
 * import { createDeduper } from '@oncely/core';
 *
 * const store = new DynamoDBStore({ tableName: 'oncely', clientConfig: { region: 'eu-west-1' } });
 * const deduper = createDeduper({ store, namespace: 'payments', ttl: '7d' });
 */
export class DynamoDBStore implements DedupStore {
  /** `dynamodb:<tableName>`, for logs and errors. */
  readonly name: string;
  /** The client the store sends with (yours, or the one it made). */
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /**
   * The largest result kept with a record: DynamoDB items cap at 400 KB, and the rest
   * of the record (key, token, fingerprint) needs the remainder. A deduper refuses a
   * larger `maxResultBytes`.
   */
  readonly maxResultBytes = 400_000;
  private readonly options: ResolvedStoreOptions;
  private readonly table: TableContext;
  private readonly statements: BatchStatements;
  private readonly batchLimits: StatementLimits;

  constructor(options: DynamoDBStoreOptions) {
    this.options = resolveStoreOptions(options);
    const { client, tableName, attributes, sortKey } = this.options;
    this.client = client;
    this.tableName = tableName;
    this.name = `dynamodb:${tableName}`;
    this.table = {
      client,
      tableName,
      storeName: this.name,
      codec: new RecordItemCodec(attributes, sortKey),
      expressions: buildExpressions(attributes),
    };
    this.statements = new BatchStatements(tableName, attributes, sortKey, this.table.codec);
    this.batchLimits = resolveBatchOptions(options.batch);
  }

  async claim(key: string, options: ClaimOptions): Promise<ClaimOutcome> {
    const { now } = options;
    const record = claimRecord(key, options);
    const { condition, names } = this.table.expressions.claim;
    const outcome = await attempt(this.table, 'claim', key, () =>
      this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: this.table.codec.toItem(record),
          ConditionExpression: condition,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: claimValues(now),
          // On success: the record replaced, to report a takeover. On failure: the
          // record that holds the key, so a duplicate costs no read.
          ReturnValues: 'ALL_OLD',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      ),
    );
    if (!outcome.ok) {
      const blocking = blockingRecord(this.table, 'claim', key, outcome.old);
      // Our own token: an earlier attempt of this very request landed and its answer was
      // lost (a reset, a timeout), then the SDK retried. The claim is ours. What that
      // attempt replaced is unknown, so it is reported as a possible takeover: a false
      // alarm at worst, never a hidden double effect, and no wait for our own lease.
      if (blocking.token === record.token) {
        return { kind: 'claimed', token: record.token, record, previous: blocking };
      }
      return classifyTaken(blocking, now);
    }
    const old = outcome.output.Attributes;
    const replaced = old === undefined ? undefined : readRecord(this.table, 'claim', key, old);
    // Only a live (unexpired) IN_PROGRESS record is a takeover: its owner may have run the effect.
    return replaced !== undefined && !isExpired(replaced, now)
      ? { kind: 'claimed', token: record.token, record, previous: replaced }
      : { kind: 'claimed', token: record.token, record };
  }

  async complete(key: string, token: string, options: CompleteOptions): Promise<FencedOutcome> {
    const { now, result } = options;
    const expiresAt = expiresAtFor(now, options.ttlMs);
    if (result !== undefined) {
      const completed: DedupRecord = {
        key,
        status: 'COMPLETED',
        token,
        leaseUntil: now,
        expiresAt,
        result,
      };
      assertItemFits(key, this.table.codec.toItem(completed), FINGERPRINT_ALLOWANCE_BYTES);
    }
    const e = this.table.expressions.complete;
    const values: Item = {
      ':completed': { S: 'COMPLETED' },
      ':expiresAt': { N: String(expiresAt) },
      ':token': { S: token },
    };
    if (result !== undefined) values[':result'] = { S: result };
    const outcome = await attempt(this.table, 'complete', key, () =>
      this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: this.table.codec.key(key),
          UpdateExpression: result === undefined ? e.update : e.updateWithResult,
          ConditionExpression: e.condition,
          ExpressionAttributeNames: result === undefined ? e.names : e.namesWithResult,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      ),
    );
    return this.fenced('complete', key, outcome);
  }

  async release(key: string, token: string): Promise<FencedOutcome> {
    const { condition, names } = this.table.expressions.release;
    const outcome = await attempt(this.table, 'release', key, () =>
      this.client.send(
        new DeleteItemCommand({
          TableName: this.tableName,
          Key: this.table.codec.key(key),
          ConditionExpression: condition,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: { ':token': { S: token } },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      ),
    );
    return outcome.ok ? { ok: true } : this.fenced('release', key, outcome);
  }

  async extendLease(key: string, token: string, options: ExtendOptions): Promise<FencedOutcome> {
    const { update, condition, names } = this.table.expressions.extend;
    const outcome = await attempt(this.table, 'extendLease', key, () =>
      this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: this.table.codec.key(key),
          UpdateExpression: update,
          ConditionExpression: condition,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: {
            ':leaseUntil': { N: String(options.now + options.leaseMs) },
            ':token': { S: token },
            ':inProgress': { S: 'IN_PROGRESS' },
          },
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      ),
    );
    return this.fenced('extendLease', key, outcome);
  }

  async get(key: string, options: { readonly now: number }): Promise<DedupRecord | undefined> {
    let item: Item | undefined;
    try {
      const output = await this.client.send(
        new GetItemCommand({
          TableName: this.tableName,
          Key: this.table.codec.key(key),
          ConsistentRead: this.options.consistentRead,
        }),
      );
      item = output.Item;
    } catch (error) {
      throw fault(this.table, 'get', key, error);
    }
    if (item === undefined) return undefined;
    const record = readRecord(this.table, 'get', key, item);
    return isExpired(record, options.now) ? undefined : record;
  }

  async delete(key: string): Promise<void> {
    try {
      await this.client.send(
        new DeleteItemCommand({ TableName: this.tableName, Key: this.table.codec.key(key) }),
      );
    } catch (error) {
      throw fault(this.table, 'delete', key, error);
    }
  }

  /**
   * Writes the COMPLETED record and `effects` (each a `TransactWriteItem`; see
   * `dynamoTransaction`) in one `TransactWriteItems`, under the claim's condition.
   * If the key is taken, nothing is written and the outcome is `duplicate` or
   * `in_progress`.
   */
  commit(key: string, options: CommitOptions): Promise<CommitOutcome> {
    return commitTransaction(this.table, key, options);
  }

  /**
   * Claims many keys in two `BatchExecuteStatement` rounds (an `INSERT` per key, then an
   * `UPDATE ... WHERE` the claim condition for the keys that existed): 10 new keys cost
   * 1 request, 10 redeliveries 2. Each key's outcome is what `claim` would answer.
   */
  claimMany(items: readonly ClaimItem[]): Promise<BatchResults<ClaimOutcome>> {
    return claimMany(this.table, this.statements, items, this.batchLimits);
  }

  /** Completes many records in one request per 25, each fenced by its token. */
  completeMany(items: readonly CompleteItem[]): Promise<BatchResults<FencedOutcome>> {
    return completeMany(this.table, this.statements, items, this.batchLimits);
  }

  /** Releases many records in one request per 25, each fenced by its token. */
  releaseMany(items: readonly ReleaseItem[]): Promise<BatchResults<FencedOutcome>> {
    return releaseMany(this.table, this.statements, items, this.batchLimits);
  }

  /** Destroys the client when the store made it; yours is left open. */
  close(): void {
    if (this.options.ownsClient) this.client.destroy();
  }

  private fenced(
    operation: 'complete' | 'release' | 'extendLease',
    key: string,
    outcome: { ok: true; output: { Attributes?: Item } } | { ok: false; old: Item | undefined },
  ): FencedOutcome {
    if (outcome.ok) {
      const item = outcome.output.Attributes;
      return item === undefined
        ? { ok: true }
        : { ok: true, record: readRecord(this.table, operation, key, item) };
    }
    return outcome.old === undefined
      ? { ok: false, reason: 'lease_lost' }
      : {
          ok: false,
          reason: 'lease_lost',
          current: readRecord(this.table, operation, key, outcome.old),
        };
  }
}
