import { createHash } from 'node:crypto';

/**
 * The Lua scripts, one per transition. Each touches exactly one key, passed in `KEYS[1]`,
 * so every script runs on the node that owns the key's slot (Redis Cluster, Valkey
 * Cluster). Time is the caller's: every script compares against `now` from the arguments,
 * never `TIME`, so leases and windows mean the same as in every other oncely store and a
 * test's manual clock drives them. The key's native expiry (`PEXPIRE`) is set to the
 * same window, so Redis drops finished records itself.
 *
 * Replies are arrays whose first element says what happened (`claimed`, `taken`, `ok`,
 * `lost`), followed by the record's HGETALL pairs where the caller needs them. Optional
 * fields are absent from those pairs rather than `false`, whose conversion differs
 * between RESP2 and RESP3 clients.
 */

/** A script and the SHA1 that EVALSHA calls it by. */
export interface Script {
  readonly name: 'claim' | 'complete' | 'release' | 'extend';
  readonly source: string;
  readonly sha: string;
}

function script(name: Script['name'], source: string): Script {
  return { name, source, sha: createHash('sha1').update(source).digest('hex') };
}

/**
 * Claim. ARGV: now (ms), the new token, the key's expiry in ms, then the new record's
 * field/value pairs. Takes a key that is absent, past its window, or IN_PROGRESS with its
 * lease over (the same rule as `isClaimable` in `@oncely/core`).
 *
 * - `{'claimed'}`: a new record; `{'claimed', old}`: it replaced the live record `old`
 *   (a takeover), or `old` carries our own token: an earlier send of this very call
 *   landed and its answer was lost (a client that resends after a reconnect), so the
 *   claim is ours, reported as a possible takeover rather than a wait on our own lease.
 * - `{'taken', old}`: `old` holds the key (completed, or its lease is live).
 */
const CLAIM = script(
  'claim',
  `local key = KEYS[1]
local now = tonumber(ARGV[1])
local old = redis.call('HGETALL', key)
local live = false
if #old > 0 then
  local record = {}
  for i = 1, #old, 2 do record[old[i]] = old[i + 1] end
  local expiresAt = tonumber(record.expiresAt)
  local leaseUntil = tonumber(record.leaseUntil)
  if expiresAt == nil or leaseUntil == nil then
    return redis.error_reply('ERR oncely: key ' .. key .. ' holds a hash that is not an oncely record')
  end
  if record.token == ARGV[2] then return {'claimed', old} end
  live = expiresAt * 1000 > now
  if live and (record.status == 'COMPLETED' or leaseUntil > now) then return {'taken', old} end
  -- Claimable: start from an empty hash, so no result or fingerprint of the old window stays.
  redis.call('DEL', key)
end
redis.call('HSET', key, unpack(ARGV, 4))
redis.call('PEXPIRE', key, ARGV[3])
if live then return {'claimed', old} end
return {'claimed'}`,
);

/**
 * Complete, fenced by the token. ARGV: token, the key's new expiry in ms, then the fields
 * to set (status, expiresAt, and the result when there is one). `{'ok', leaseUntil,
 * fingerprint?}` (the caller knows the rest of the record, so the result is not sent back);
 * `{'lost', current}` when the token no longer owns the key.
 */
const COMPLETE = script(
  'complete',
  `local key = KEYS[1]
local held = redis.call('HMGET', key, 'token', 'leaseUntil', 'fingerprint')
if held[1] ~= ARGV[1] then return {'lost', redis.call('HGETALL', key)} end
redis.call('HSET', key, unpack(ARGV, 3))
redis.call('PEXPIRE', key, ARGV[2])
if held[3] then return {'ok', held[2], held[3]} end
return {'ok', held[2]}`,
);

/** Release, fenced by the token. ARGV: token. `{'ok'}` or `{'lost', current}`. */
const RELEASE = script(
  'release',
  `local key = KEYS[1]
if redis.call('HGET', key, 'token') == ARGV[1] then
  redis.call('DEL', key)
  return {'ok'}
end
return {'lost', redis.call('HGETALL', key)}`,
);

/**
 * Extend, fenced by the token and IN_PROGRESS. ARGV: token, the new leaseUntil. The key's
 * expiry stays: a lease never outlives the window. `{'ok', record}` or `{'lost', current}`.
 */
const EXTEND = script(
  'extend',
  `local key = KEYS[1]
local held = redis.call('HMGET', key, 'token', 'status')
if held[1] == ARGV[1] and held[2] == 'IN_PROGRESS' then
  redis.call('HSET', key, 'leaseUntil', ARGV[2])
  return {'ok', redis.call('HGETALL', key)}
end
return {'lost', redis.call('HGETALL', key)}`,
);

/** The four scripts, by transition. Internal. */
export const SCRIPTS = { claim: CLAIM, complete: COMPLETE, release: RELEASE, extend: EXTEND };
