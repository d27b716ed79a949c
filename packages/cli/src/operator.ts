import type { DedupRecord, FencedOutcome, RecordStatus } from '@oncely/core';
import type { StoreTarget } from './store-url.js';

/**
 * What the CLI needs of a store: the store's own `get` and token-fenced `release` (the
 * `DedupStore` contract, so `inspect` and `release` read and delete exactly as the deduper would),
 * plus the reads only an operator makes, each done the store's own way: a DynamoDB
 * `Scan` with a filter, a PostgreSQL `SELECT ... WHERE`, a Redis `SCAN` over the prefix.
 * Decision 0009 says why these live here and not on the stores.
 */
export interface Operator {
  /** What the records are in, for messages: `DynamoDB table "oncely"`. */
  readonly target: string;
  /** The live record stored under `storeKey`, through the store's `get`. */
  get(storeKey: string, now: number): Promise<DedupRecord | undefined>;
  /**
   * Deletes the record only while `token` still owns it (the store's fenced `release`), so
   * a record that changed after the operator saw it is left alone.
   */
  release(storeKey: string, token: string): Promise<FencedOutcome>;
  /** Live records matching `query`, at most `query.limit`, reading at most `query.sample` records. */
  list(query: ListQuery, progress: Progress): Promise<ListResult>;
  /** Counts by status over at most `query.sample` records. */
  stats(query: StatsQuery, progress: Progress): Promise<StatsResult>;
  /** Creates the table (or says it was there). */
  createTable(): Promise<CreateTableReport>;
  /** Releases the store's connections. */
  close(): Promise<void>;
}

/** Which records `list` returns. */
export interface ListQuery {
  /** Only records of this status. */
  readonly status: RecordStatus | undefined;
  /** Only IN_PROGRESS records whose lease ended before `now`. */
  readonly stuck: boolean;
  /** Only store keys starting with this (`namespace#`). */
  readonly prefix: string | undefined;
  readonly limit: number;
  /** The most records read to find them. */
  readonly sample: number;
  readonly now: number;
}

/** What `list` found. */
export interface ListResult {
  readonly records: readonly DedupRecord[];
  /** Records read (the store may read more than it returns). */
  readonly scanned: number;
  /** True when every record was considered: neither `limit` nor `sample` cut the search short. */
  readonly complete: boolean;
}

/** Which records `stats` counts. */
export interface StatsQuery {
  readonly prefix: string | undefined;
  readonly sample: number;
  readonly now: number;
}

/** The counts of `stats`. Expired records are counted apart, under neither status. */
export interface StatsResult {
  readonly inProgress: number;
  /** Of `inProgress`, those whose lease has ended. */
  readonly stuck: number;
  readonly completed: number;
  /** Past their window, waiting for the TTL (or `sweep`) to remove them. */
  readonly expired: number;
  /** Records read. */
  readonly scanned: number;
  /** True when the whole table (or prefix) was read within the sample. */
  readonly complete: boolean;
}

/** What `create-table` did. */
export interface CreateTableReport {
  /** `undefined` when the store cannot tell (PostgreSQL's `IF NOT EXISTS`). */
  readonly created: boolean | undefined;
  readonly detail: string;
}

/** Progress of a long read: `advance` by the records read since the last call. */
export interface Progress {
  advance(records: number): void;
}

/** A progress that shows nothing. */
export const NO_PROGRESS: Progress = { advance: () => {} };

/**
 * Counts one record into `counts` (shared by the operators that count in the client).
 * Internal.
 */
export function countRecord(
  counts: { inProgress: number; stuck: number; completed: number; expired: number },
  record: Pick<DedupRecord, 'status' | 'leaseUntil' | 'expiresAt'>,
  now: number,
): void {
  if (record.expiresAt * 1000 <= now) counts.expired++;
  else if (record.status === 'COMPLETED') counts.completed++;
  else {
    counts.inProgress++;
    if (record.leaseUntil <= now) counts.stuck++;
  }
}

/** Whether a live record matches a list query (for operators that filter in the client). Internal. */
export function matches(record: DedupRecord, query: ListQuery): boolean {
  if (record.expiresAt * 1000 <= query.now) return false;
  if (query.prefix !== undefined && !record.key.startsWith(query.prefix)) return false;
  if (query.status !== undefined && record.status !== query.status) return false;
  if (query.stuck && !(record.status === 'IN_PROGRESS' && record.leaseUntil <= query.now))
    return false;
  return true;
}

/**
 * Opens the operator for `target`, loading only that store's client.
 *
 * @example
 * const operator = await openOperator(parseStoreUrl('dynamodb://oncely'));
 */
export async function openOperator(target: StoreTarget): Promise<Operator> {
  switch (target.kind) {
    case 'dynamodb':
      return (await import('./stores/dynamodb.js')).dynamodbOperator(target);
    case 'postgres':
      return (await import('./stores/postgres.js')).postgresOperator(target);
    case 'redis':
      return (await import('./stores/redis.js')).redisOperator(target);
  }
}
