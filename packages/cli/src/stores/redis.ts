import type { DedupRecord } from '@oncely/core';
import { REDIS_STORE_DEFAULTS, RedisStore } from '@oncely/redis';
import { createClient } from 'redis';
import {
  countRecord,
  type ListResult,
  matches,
  type Operator,
  type StatsResult,
} from '../operator.js';
import { describeTarget, type RedisTarget } from '../store-url.js';

/** Keys asked of one SCAN call (a hint: Redis may answer more or fewer). */
const SCAN_COUNT = 1000;
/** The record's fields, as `@oncely/redis` writes them (its `RECORD_FIELDS`). */
const FIELDS = ['status', 'token', 'leaseUntil', 'expiresAt', 'fingerprint'] as const;

/**
 * The Redis operator: `get` and `release` through `RedisStore`, `list` and `stats` by a
 * `SCAN` over `<prefix><namespace#>*` (hashes only) and an `HMGET` of each key's fields,
 * reading at most the sample. Internal.
 */
export async function redisOperator(target: RedisTarget): Promise<Operator> {
  const keyPrefix = target.prefix ?? REDIS_STORE_DEFAULTS.keyPrefix;
  // No reconnecting: one command's connection either works or is reported at once.
  const client = createClient({
    url: target.url,
    socket: { reconnectStrategy: false, connectTimeout: 10_000 },
  });
  client.on('error', () => {}); // reported by the command that meets it
  await client.connect();
  const store = new RedisStore({ client, keyPrefix });

  /** Reads up to `sample` records under `prefix`, a page at a time, until `take` says stop. */
  async function scan(
    prefix: string | undefined,
    sample: number,
    advance: (records: number) => void,
    take: (records: readonly DedupRecord[]) => boolean,
  ): Promise<{ scanned: number; exhausted: boolean }> {
    const match = `${glob(keyPrefix + (prefix ?? ''))}*`;
    let cursor = '0';
    let scanned = 0;
    do {
      const reply = await client.scan(cursor, { MATCH: match, COUNT: SCAN_COUNT, TYPE: 'hash' });
      cursor = String(reply.cursor);
      const keys = reply.keys.slice(0, sample - scanned);
      // Commands sent in one turn go out as one pipeline.
      const values = await Promise.all(keys.map((key) => client.hmGet(key, [...FIELDS])));
      const records = keys.flatMap((key, index) => {
        const record = recordOf(key.slice(keyPrefix.length), values[index] ?? []);
        return record === undefined ? [] : [record];
      });
      scanned += keys.length;
      advance(keys.length);
      if (take(records)) return { scanned, exhausted: cursor === '0' };
      if (keys.length < reply.keys.length) return { scanned, exhausted: false };
    } while (cursor !== '0' && scanned < sample);
    return { scanned, exhausted: cursor === '0' };
  }

  return {
    target: describeTarget(target),
    get: (storeKey, now) => store.get(storeKey, { now }),
    release: (storeKey, token) => store.release(storeKey, token),

    async list(query, progress): Promise<ListResult> {
      const found: DedupRecord[] = [];
      let dropped = false;
      const advance = (records: number) => progress.advance(records);
      const { scanned, exhausted } = await scan(query.prefix, query.sample, advance, (records) => {
        for (const record of records) {
          if (!matches(record, query)) continue;
          if (found.length < query.limit) found.push(record);
          else dropped = true;
        }
        return found.length === query.limit;
      });
      // SCAN's order is the hash table's: sort the page shown, as the other stores do.
      found.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      return { records: found, scanned, complete: exhausted && !dropped };
    },

    async stats(query, progress): Promise<StatsResult> {
      const counts = { inProgress: 0, stuck: 0, completed: 0, expired: 0 };
      const { scanned, exhausted } = await scan(
        query.prefix,
        query.sample,
        (records) => progress.advance(records),
        (records) => {
          for (const record of records) countRecord(counts, record, query.now);
          return false;
        },
      );
      return { ...counts, scanned, complete: exhausted };
    },

    async createTable() {
      return {
        created: false,
        detail: `Redis needs no table: each record is a hash at "${keyPrefix}namespace#key", expiring by itself`,
      };
    },

    async close() {
      client.destroy();
    },
  };
}

/** The fields of one hash as a record, or `undefined` for a hash that is not one of oncely's. */
function recordOf(key: string, values: readonly (string | null)[]): DedupRecord | undefined {
  const [status, token, leaseUntil, expiresAt, fingerprint] = values;
  if ((status !== 'IN_PROGRESS' && status !== 'COMPLETED') || typeof token !== 'string') {
    return undefined;
  }
  return {
    key,
    status,
    token,
    leaseUntil: Number(leaseUntil),
    expiresAt: Number(expiresAt),
    ...(typeof fingerprint === 'string' ? { fingerprint } : {}),
  };
}

/** `text` with Redis's glob characters escaped, for MATCH. */
function glob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}
