import {
  type BatchResults,
  type ClaimItem,
  type ClaimOptions,
  type ClaimOutcome,
  type CompleteItem,
  type CompleteOptions,
  claimEachKeyOnce,
  type DedupRecord,
  type DedupStore,
  type ExtendOptions,
  type FencedOutcome,
  isExpired,
  type ReleaseItem,
  type StoreOperation,
} from '@oncely/core';
import type { RedisScriptClient, ScriptCall } from './client.js';
import { redisFault } from './faults.js';
import { type RedisStoreOptions, resolveRedisOptions } from './options.js';
import { fieldsToRecord } from './record-hash.js';
import type { Script } from './scripts.js';
import { sendScripts } from './send.js';
import { type Planned, planClaim, planComplete, planExtend, planRelease } from './transitions.js';

/**
 * A {@link DedupStore} on Redis or Valkey: one hash per record at
 * `<keyPrefix><namespace#key>`, one Lua script per transition.
 *
 * - claim: one `EVALSHA` that takes a key that is absent, past its window, or held by an
 *   expired lease; a duplicate or a live claim is answered with the record that holds the
 *   key, so it costs one round trip and no read
 * - complete, release, extend: one `EVALSHA` each, conditional on the owner token (fencing)
 * - batches: one `EVALSHA` over every item's key on a standalone server; on a cluster
 *   client (the `cluster` option) one per item, in one pipeline per node. Either way one
 *   round trip, and each item answered on its own
 *
 * Leases and windows are compared with the caller's `now`, as in every oncely store; the
 * key's native expiry is set to the same window, so Redis drops finished records itself.
 *
 * @example
 * import { createClient } from 'redis';
 * import { createDeduper } from '@oncely/core';
 * import { RedisStore } from '@oncely/redis';
 *
 * const client = await createClient({ url: process.env.REDIS_URL }).connect();
 * const deduper = createDeduper({ store: new RedisStore({ client }), namespace: 'payments' });
 */
export class RedisStore implements DedupStore {
  /** `redis:<keyPrefix>`, for logs and errors. */
  readonly name: string;
  /** What the store sends through: your client, adapted (see {@link RedisScriptClient}). */
  readonly client: RedisScriptClient;
  /** Put before every store key. */
  readonly keyPrefix: string;
  /** The largest result a deduper may keep with a record, in bytes. */
  readonly maxResultBytes: number;
  /** Whether each script call touches one key (a Redis Cluster client), or a whole batch's. */
  readonly cluster: boolean;

  constructor(options: RedisStoreOptions) {
    const resolved = resolveRedisOptions(options);
    this.client = resolved.client;
    this.keyPrefix = resolved.keyPrefix;
    this.maxResultBytes = resolved.maxResultBytes;
    this.cluster = resolved.cluster;
    this.name = `redis:${this.keyPrefix}`;
  }

  /** The Redis key of a store key: `<keyPrefix><storeKey>`. */
  redisKey(storeKey: string): string {
    return this.keyPrefix + storeKey;
  }

  async claim(key: string, options: ClaimOptions): Promise<ClaimOutcome> {
    return single(await this.claimMany([{ ...options, key }]));
  }

  async complete(key: string, token: string, options: CompleteOptions): Promise<FencedOutcome> {
    return single(await this.completeMany([{ ...options, key, token }]));
  }

  async release(key: string, token: string): Promise<FencedOutcome> {
    return single(await this.releaseMany([{ key, token }]));
  }

  async extendLease(key: string, token: string, options: ExtendOptions): Promise<FencedOutcome> {
    return single(
      await this.send('extendLease', [{ ...options, key, token }], (item) =>
        planExtend(this, item),
      ),
    );
  }

  /** `HGETALL`; a record past its window (by `now`) reads as `undefined`. */
  async get(key: string, options: { readonly now: number }): Promise<DedupRecord | undefined> {
    let record: DedupRecord | undefined;
    try {
      record = fieldsToRecord(key, await this.client.hgetall(this.redisKey(key)));
    } catch (error) {
      throw this.fault('get', key, error);
    }
    return record === undefined || isExpired(record, options.now) ? undefined : record;
  }

  /** `DEL`, unconditionally (operators: force a re-run). */
  async delete(key: string): Promise<void> {
    try {
      await this.client.del(this.redisKey(key));
    } catch (error) {
      throw this.fault('delete', key, error);
    }
  }

  /**
   * Claims every item in one round trip, in order: a key given twice is claimed by its
   * first copy, and the later copies find it `in_progress`.
   */
  claimMany(items: readonly ClaimItem[]): Promise<BatchResults<ClaimOutcome>> {
    // Each key once: a later copy must not judge the first copy's fresh lease by its own clock.
    return claimEachKeyOnce(items, (firsts) =>
      this.send('claim', firsts, (item) => planClaim(this, item)),
    );
  }

  /** Completes every item in one round trip, each fenced by its own token. */
  completeMany(items: readonly CompleteItem[]): Promise<BatchResults<FencedOutcome>> {
    return this.send('complete', items, (item) => planComplete(this, item));
  }

  /** Releases every item in one round trip, each fenced by its own token. */
  releaseMany(items: readonly ReleaseItem[]): Promise<BatchResults<FencedOutcome>> {
    return this.send('release', items, (item) => planRelease(this, item));
  }

  /**
   * Sends the planned transitions in one round trip, as one script call over every key
   * (standalone), or one call per key (cluster), and reads each key's reply on its own: a
   * failed item is rejected with its own `StoreError`, its siblings' outcomes stand.
   */
  private async send<I extends { readonly key: string }, O>(
    operation: StoreOperation,
    items: readonly I[],
    plan: (item: I) => Planned<O>,
  ): Promise<PromiseSettledResult<O>[]> {
    if (items.length === 0) return [];
    const planned = items.map(plan);
    const { script } = planned[0] as Planned<O>;
    const replies = this.cluster
      ? await sendPerKey(this.client, script, planned)
      : await sendAsOne(this.client, script, planned);
    return replies.map((reply, index): PromiseSettledResult<O> => {
      const { read } = planned[index] as Planned<O>;
      const item = items[index] as I;
      try {
        if (reply.status === 'rejected') throw reply.reason;
        return { status: 'fulfilled', value: read(reply.value) };
      } catch (error) {
        return { status: 'rejected', reason: this.fault(operation, item.key, error) };
      }
    });
  }

  private fault(operation: StoreOperation, storeKey: string, cause: unknown) {
    return redisFault(cause, { operation, storeKey, storeName: this.name });
  }
}

function single<O>(results: readonly PromiseSettledResult<O>[]): O {
  const [result] = results;
  if (result === undefined) throw new TypeError('a batch of one answered nothing');
  if (result.status === 'rejected') throw result.reason;
  return result.value;
}

/** A cluster client's batch: one call per key, side by side (the client pipelines them per node). */
async function sendPerKey(
  client: RedisScriptClient,
  script: Script,
  planned: readonly Planned<unknown>[],
): Promise<PromiseSettledResult<unknown>[]> {
  const replies = await sendScripts(
    client,
    planned.map((entry) => callOf(script, [entry])),
  );
  return replies.map((reply) => keyReplies(reply, 1)[0] as PromiseSettledResult<unknown>);
}

/** A standalone server's batch: one call over every key. */
async function sendAsOne(
  client: RedisScriptClient,
  script: Script,
  planned: readonly Planned<unknown>[],
): Promise<PromiseSettledResult<unknown>[]> {
  const [reply] = await sendScripts(client, [callOf(script, planned)]);
  return keyReplies(reply, planned.length);
}

/** One script call over the keys of `entries`, each key's values after their count. */
function callOf({ sha, source }: Script, entries: readonly Planned<unknown>[]): ScriptCall {
  const keys: string[] = [];
  const args: string[] = [];
  for (const { redisKey, args: values } of entries) {
    keys.push(redisKey);
    args.push(String(values.length), ...values);
  }
  return { sha, source, keys, args };
}

/**
 * The per-key replies of one script call over `count` keys: a failed call fails each of
 * them, and a reply that is not one array entry per key is an error for each.
 */
function keyReplies(
  reply: PromiseSettledResult<unknown> | undefined,
  count: number,
): PromiseSettledResult<unknown>[] {
  if (reply?.status === 'fulfilled') {
    const { value } = reply;
    if (Array.isArray(value) && value.length === count) {
      return value.map((entry) => ({ status: 'fulfilled', value: entry }));
    }
  }
  const reason =
    reply?.status === 'rejected'
      ? reply.reason
      : new TypeError(`the script answered something other than ${count} key replies`);
  return Array.from({ length: count }, () => ({ status: 'rejected', reason }));
}
