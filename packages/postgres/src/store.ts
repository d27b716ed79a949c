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
  type FencedOutcome,
  isExpired,
  type ReleaseItem,
  type RunContext,
  type StoreOperation,
} from '@oncely/core';
import { claimMany, claimOutcome, writeIfFree } from './claim.js';
import { commitTransaction } from './commit.js';
import { rowRecord, type StoreContext, unwrap } from './context.js';
import { postgresStoreError } from './faults.js';
import { type FencedWrites, fencedMany, fencedWrites } from './fenced.js';
import { type PostgresStoreOptions, resolveStoreOptions } from './options.js';
import type { PostgresPool, PostgresPoolClient } from './pool.js';
import { buildStatements } from './sql.js';
import { type SweepOptions, sweep } from './sweep.js';
import { type PostgresTransaction, transactionOf } from './transaction.js';

/**
 * A {@link DedupStore} on one PostgreSQL table (see `createTable`).
 *
 * - claim: one `INSERT ... ON CONFLICT DO UPDATE ... WHERE` the key is free (absent,
 *   expired, or IN_PROGRESS with its lease over), which also answers a duplicate or a live
 *   claim: one query, no read first
 * - complete, release, extend: one `UPDATE` / `DELETE` fenced by the owner token
 * - batches: `claimMany`, `completeMany`, `releaseMany` send any number of keys in one
 *   statement (`unnest` of arrays)
 * - commit (transactional mode): the COMPLETED record and the handler's SQL in one
 *   transaction on one connection (see {@link PostgresStore.transaction})
 *
 * Every condition uses the caller's `now`; expiry is checked in the claim's condition,
 * never left to `sweep`, which only reclaims space.
 *
 * @example
 * import pg from 'pg';
 * import { createDeduper } from '@oncely/core';
 * import { PostgresStore } from '@oncely/postgres';
 *
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
 * const store = new PostgresStore({ pool, tableName: 'oncely_dedup' });
 * const deduper = createDeduper({ store, namespace: 'payments', ttl: '7d' });
 */
export class PostgresStore<Client extends PostgresPoolClient = PostgresPoolClient>
  implements DedupStore
{
  /** `postgres:<schema>.<table>` (`postgres:<table>` without a schema), for logs and errors. */
  readonly name: string;
  /** The pool the store queries through (yours; never ended by the store). */
  readonly pool: PostgresPool<Client>;
  readonly tableName: string;
  readonly schema: string | undefined;
  /**
   * The largest result kept with a record: PostgreSQL stores a `text` value of up to 1 GB.
   * A deduper refuses a larger `maxResultBytes` (its own default is far smaller).
   */
  readonly maxResultBytes = 1_000_000_000;
  private readonly context: StoreContext;
  private readonly writes: FencedWrites;

  constructor(options: PostgresStoreOptions<Client>) {
    const resolved = resolveStoreOptions(options);
    this.pool = resolved.pool;
    this.tableName = resolved.tableName;
    this.schema = resolved.schema;
    this.name = `postgres:${resolved.schema === undefined ? '' : `${resolved.schema}.`}${resolved.tableName}`;
    this.context = {
      storeName: this.name,
      table: resolved.sql,
      statements: buildStatements(resolved.sql),
    };
    this.writes = fencedWrites(this.context);
  }

  async claim(key: string, options: ClaimOptions): Promise<ClaimOutcome> {
    const record = claimRecord(key, options);
    const [answer] = await writeIfFree(this.pool, this.context, 'claim', [
      { record, now: options.now },
    ]);
    return claimOutcome(record, unwrap(answer));
  }

  async complete(key: string, token: string, options: CompleteOptions): Promise<FencedOutcome> {
    const items = [{ ...options, key, token }];
    return unwrap((await fencedMany(this.pool, this.context, items, this.writes.complete))[0]);
  }

  async release(key: string, token: string): Promise<FencedOutcome> {
    const items = [{ key, token }];
    return unwrap((await fencedMany(this.pool, this.context, items, this.writes.release))[0]);
  }

  async extendLease(key: string, token: string, options: ExtendOptions): Promise<FencedOutcome> {
    const leaseUntil = options.now + options.leaseMs;
    const items = [{ key, token, leaseUntil }];
    return unwrap((await fencedMany(this.pool, this.context, items, this.writes.extend))[0]);
  }

  async get(key: string, options: { readonly now: number }): Promise<DedupRecord | undefined> {
    const { rows } = await this.send('get', key, this.context.statements.read, [[key]]);
    const row = rows[0];
    const record = row === undefined ? undefined : rowRecord(this.context, 'get', row);
    return record === undefined || isExpired(record, options.now) ? undefined : record;
  }

  async delete(key: string): Promise<void> {
    await this.send('delete', key, this.context.statements.delete, [key]);
  }

  /**
   * Commits the COMPLETED record together with the effects added through
   * {@link PostgresStore.transaction}, in one transaction (READ COMMITTED) on one
   * connection, or writes nothing: if the key is taken, the answer is `duplicate` or
   * `in_progress` and no effect runs. With no effects, one query.
   */
  commit(key: string, options: CommitOptions): Promise<CommitOutcome> {
    return commitTransaction(this.pool, this.context, key, options);
  }

  /**
   * The handler's side of transactional mode (`createDeduper({ store, transactional: true })`):
   * SQL, and functions that get the transaction's connection, to run inside the
   * transaction that commits this run's record, so the two commit together or not at all.
   *
   * @example
   * await deduper.run(event.id, (ctx) => {
   *   store.transaction(ctx).query('INSERT INTO ledger (id, amount) VALUES ($1, $2)', [event.id, 42]);
   * });
   */
  transaction(context: Pick<RunContext, 'addEffect'>): PostgresTransaction<Client> {
    return transactionOf<Client>(context);
  }

  /** Claims many keys in one statement; each key's outcome is what `claim` would answer. */
  claimMany(items: readonly ClaimItem[]): Promise<BatchResults<ClaimOutcome>> {
    return claimMany(this.pool, this.context, items);
  }

  /** Completes many records in one statement, each fenced by its token. */
  completeMany(items: readonly CompleteItem[]): Promise<BatchResults<FencedOutcome>> {
    return fencedMany(this.pool, this.context, items, this.writes.complete);
  }

  /** Releases many records in one statement, each fenced by its token. */
  releaseMany(items: readonly ReleaseItem[]): Promise<BatchResults<FencedOutcome>> {
    return fencedMany(this.pool, this.context, items, this.writes.release);
  }

  /**
   * Deletes expired records in chunks of `batchSize` (one short statement each, skipping
   * rows a claim holds at that moment) until a chunk comes back short, and answers how
   * many it deleted. Expiry never depends on it: an expired record already counts as
   * absent; sweeping only gives the space back. Run it on a schedule (see the README).
   *
   * @example
   * const deleted = await store.sweep({ batchSize: 5000 });
   */
  sweep(options: SweepOptions = {}): Promise<number> {
    return sweep(this.pool, this.context, options);
  }

  private async send(operation: StoreOperation, key: string, text: string, values: unknown[]) {
    try {
      return await this.pool.query(text, values);
    } catch (error) {
      throw postgresStoreError(error, { ...this.context, operation, storeKey: key });
    }
  }
}
