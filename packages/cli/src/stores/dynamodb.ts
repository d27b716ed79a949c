import {
  type AttributeValue,
  DynamoDBClient,
  type DynamoDBClientConfig,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import type { DedupRecord } from '@oncely/core';
import { createTable, DynamoDBStore } from '@oncely/dynamodb';
import {
  countRecord,
  type ListQuery,
  type ListResult,
  type Operator,
  type Progress,
  type StatsResult,
} from '../operator.js';
import { type DynamoDBTarget, describeTarget } from '../store-url.js';

type Item = Record<string, AttributeValue>;

/** Items read per Scan page at most (a page also stops at 1 MB). */
const PAGE_ITEMS = 1000;

/**
 * The DynamoDB operator: `get` and `release` through `DynamoDBStore`, `list` and `stats`
 * through a paged `Scan` with a `FilterExpression` (status, lease, expiry, key prefix, the
 * static sort key), reading at most the sample. Internal.
 */
export function dynamodbOperator(target: DynamoDBTarget): Operator {
  const config: DynamoDBClientConfig = {};
  if (target.region !== undefined) config.region = target.region;
  if (target.endpoint !== undefined) config.endpoint = target.endpoint;
  const client = new DynamoDBClient(config);
  const { tableName, attributes, sortKey } = target;
  const store = new DynamoDBStore({ client, tableName, attributes, sortKey });
  const a = attributes;

  /** Scans pages matching `filter` until `enough` says stop or the sample is read. */
  async function scan(
    filter: { expression: string[]; values: Item },
    sample: number,
    progress: Progress,
    take: (items: readonly Item[]) => boolean,
  ): Promise<{ scanned: number; exhausted: boolean }> {
    const names: Record<string, string> = {
      '#k': a.key,
      '#status': a.status,
      '#lease': a.leaseUntil,
      '#expires': a.expiresAt,
      '#token': a.token,
      '#fp': a.fingerprint,
    };
    const expression = ['#status IN (:inProgress, :completed)', ...filter.expression];
    const values: Item = {
      ':inProgress': { S: 'IN_PROGRESS' },
      ':completed': { S: 'COMPLETED' },
      ...filter.values,
    };
    if (sortKey !== undefined) {
      names['#sk'] = sortKey.name;
      expression.push('#sk = :sortKey');
      values[':sortKey'] = { S: sortKey.value };
    }
    let scanned = 0;
    let start: Item | undefined;
    do {
      const output = await client.send(
        new ScanCommand({
          TableName: tableName,
          Limit: Math.min(PAGE_ITEMS, sample - scanned),
          ExclusiveStartKey: start,
          FilterExpression: expression.join(' AND '),
          ProjectionExpression: '#k, #status, #lease, #expires, #token, #fp',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
      const read = output.ScannedCount ?? 0;
      scanned += read;
      progress.advance(read);
      start = output.LastEvaluatedKey;
      if (take(output.Items ?? [])) return { scanned, exhausted: start === undefined };
    } while (start !== undefined && scanned < sample);
    return { scanned, exhausted: start === undefined };
  }

  function record(item: Item): DedupRecord {
    const fingerprint = item[a.fingerprint]?.S;
    return {
      key: item[a.key]?.S ?? '',
      status: item[a.status]?.S === 'COMPLETED' ? 'COMPLETED' : 'IN_PROGRESS',
      token: item[a.token]?.S ?? '',
      leaseUntil: Number(item[a.leaseUntil]?.N ?? 0),
      expiresAt: Number(item[a.expiresAt]?.N ?? 0),
      ...(fingerprint === undefined ? {} : { fingerprint }),
    };
  }

  function prefixFilter(prefix: string | undefined): { expression: string[]; values: Item } {
    return prefix === undefined
      ? { expression: [], values: {} }
      : { expression: ['begins_with(#k, :prefix)'], values: { ':prefix': { S: prefix } } };
  }

  return {
    target: describeTarget(target),
    get: (storeKey, now) => store.get(storeKey, { now }),
    release: (storeKey, token) => store.release(storeKey, token),

    async list(query: ListQuery, progress: Progress): Promise<ListResult> {
      const filter = prefixFilter(query.prefix);
      filter.expression.push('#expires > :nowSeconds');
      filter.values[':nowSeconds'] = { N: String(query.now / 1000) };
      if (query.status !== undefined || query.stuck) {
        filter.expression.push('#status = :status');
        filter.values[':status'] = { S: query.stuck ? 'IN_PROGRESS' : (query.status as string) };
      }
      if (query.stuck) {
        filter.expression.push('#lease <= :now');
        filter.values[':now'] = { N: String(query.now) };
      }
      const records: DedupRecord[] = [];
      let dropped = false;
      const { scanned, exhausted } = await scan(filter, query.sample, progress, (items) => {
        for (const item of items) {
          if (records.length < query.limit) records.push(record(item));
          else dropped = true;
        }
        return records.length === query.limit;
      });
      return { records, scanned, complete: exhausted && !dropped };
    },

    async stats(query, progress): Promise<StatsResult> {
      const counts = { inProgress: 0, stuck: 0, completed: 0, expired: 0 };
      const { scanned, exhausted } = await scan(
        prefixFilter(query.prefix),
        query.sample,
        progress,
        (items) => {
          for (const item of items) countRecord(counts, record(item), query.now);
          return false;
        },
      );
      return { ...counts, scanned, complete: exhausted };
    },

    async createTable() {
      const { created, ttlEnabled } = await createTable(client, { tableName, attributes, sortKey });
      const ttl = ttlEnabled
        ? `TTL enabled on "${a.expiresAt}"`
        : `TTL already on "${a.expiresAt}"`;
      return {
        created,
        detail: created
          ? `created DynamoDB table "${tableName}" (on-demand, ${ttl})`
          : `DynamoDB table "${tableName}" exists with the expected key schema (${ttl})`,
      };
    },

    async close() {
      client.destroy();
    },
  };
}
