import {
  type ClaimItem,
  type ClaimOutcome,
  type CompleteItem,
  claimRecord,
  type DedupRecord,
  type ExtendOptions,
  expiresAtFor,
  type FencedOutcome,
  isLeaseLive,
  type ReleaseItem,
} from '@oncely/core';
import { fieldsToRecord, pairsToFields, text } from './record-hash.js';
import { SCRIPTS, type Script } from './scripts.js';

/**
 * One transition of one key, ready to send: the script, the key and its values (one group
 * of a script call's `ARGV`, without the group's length), and how the key's reply becomes
 * the outcome. Internal.
 */
export interface Planned<O> {
  readonly script: Script;
  readonly redisKey: string;
  readonly args: readonly string[];
  read(reply: unknown): O;
}

/** Where the store keeps a key, and how it names it in a record. */
interface KeySpace {
  /** `<keyPrefix><storeKey>`: the Redis key. */
  redisKey(storeKey: string): string;
}

const LOST: FencedOutcome = { ok: false, reason: 'lease_lost' };

/**
 * The key's own expiry, in ms from when the script runs: the record's window as the
 * caller's clock sees it (`expiresAt` − `now`). Relative, not `PEXPIREAT`, because an
 * absolute moment of the caller's clock means another moment on the server's: a caller
 * whose clock runs behind (or a test's manual clock in the past) would write records that
 * Redis drops at once.
 */
function expiryMs(expiresAt: number, now: number): string {
  return String(Math.max(1, Math.ceil(expiresAt * 1000 - now)));
}

/**
 * `[tag, ...rest]` of a key's reply; a key whose command failed (`{'error', message}`)
 * throws that error, as the server's own error reply for a call of that key alone would.
 */
function tagged(reply: unknown): [string, unknown[]] {
  if (!Array.isArray(reply) || reply.length === 0) {
    throw new TypeError('the script answered something other than its reply array');
  }
  const tag = text(reply[0], 'the reply tag');
  if (tag === 'error') throw new Error(text(reply[1], 'the error message'));
  return [tag, reply.slice(1)];
}

function recordOf(key: string, pairs: unknown): DedupRecord | undefined {
  return fieldsToRecord(key, pairsToFields(pairs ?? []));
}

function lost(key: string, pairs: unknown): FencedOutcome {
  const current = recordOf(key, pairs);
  return current === undefined ? LOST : { ok: false, reason: 'lease_lost', current };
}

/** A claim of `item.key` with a fresh token (see the claim script). Internal. */
export function planClaim(space: KeySpace, item: ClaimItem): Planned<ClaimOutcome> {
  const { key, now } = item;
  const record = claimRecord(key, item);
  const { token } = record;
  const args = [
    String(now),
    token,
    expiryMs(record.expiresAt, now),
    String(record.leaseUntil),
    String(record.expiresAt),
  ];
  if (item.fingerprint !== undefined) args.push(item.fingerprint);
  return {
    script: SCRIPTS.claim,
    redisKey: space.redisKey(key),
    args,
    read(reply) {
      const [tag, [pairs]] = tagged(reply);
      const old = recordOf(key, pairs);
      if (tag === 'claimed') {
        return old === undefined
          ? { kind: 'claimed', token, record }
          : { kind: 'claimed', token, record, previous: old };
      }
      if (tag !== 'taken' || old === undefined) throw new TypeError(`unknown claim reply ${tag}`);
      return isLeaseLive(old, now)
        ? { kind: 'in_progress', record: old, retryAfterMs: old.leaseUntil - now }
        : { kind: 'duplicate', record: old };
    },
  };
}

/** A completion fenced by `item.token`. Internal. */
export function planComplete(space: KeySpace, item: CompleteItem): Planned<FencedOutcome> {
  const { key, token, now, result } = item;
  const expiresAt = expiresAtFor(now, item.ttlMs);
  const args = [token, expiryMs(expiresAt, now), String(expiresAt)];
  if (result !== undefined) args.push(result);
  return {
    script: SCRIPTS.complete,
    redisKey: space.redisKey(key),
    args,
    read(reply) {
      const [tag, rest] = tagged(reply);
      if (tag === 'lost') return lost(key, rest[0]);
      const [leaseUntil, fingerprint] = rest;
      // The script sends back only what the caller does not know, never the result.
      const record: DedupRecord = {
        key,
        status: 'COMPLETED',
        token,
        leaseUntil: Number(text(leaseUntil, 'leaseUntil')),
        expiresAt,
        ...(fingerprint === undefined ? {} : { fingerprint: text(fingerprint, 'fingerprint') }),
        ...(result === undefined ? {} : { result }),
      };
      return { ok: true, record };
    },
  };
}

/** A release fenced by `item.token`. Internal. */
export function planRelease(space: KeySpace, item: ReleaseItem): Planned<FencedOutcome> {
  const { key, token } = item;
  return {
    script: SCRIPTS.release,
    redisKey: space.redisKey(key),
    args: [token],
    read(reply) {
      const [tag, rest] = tagged(reply);
      return tag === 'ok' ? { ok: true } : lost(key, rest[0]);
    },
  };
}

/** One lease extension: {@link ExtendOptions} with the key and the token. Internal. */
export interface ExtendItem extends ExtendOptions {
  readonly key: string;
  readonly token: string;
}

/** A lease extension fenced by `item.token` (and IN_PROGRESS). Internal. */
export function planExtend(space: KeySpace, item: ExtendItem): Planned<FencedOutcome> {
  const { key, token } = item;
  const leaseUntil = item.now + item.leaseMs;
  return {
    script: SCRIPTS.extend,
    redisKey: space.redisKey(key),
    args: [token, String(leaseUntil)],
    read(reply) {
      const [tag, rest] = tagged(reply);
      if (tag === 'lost') return lost(key, rest[0]);
      const record = recordOf(key, rest[0]);
      return record === undefined ? { ok: true } : { ok: true, record };
    },
  };
}
