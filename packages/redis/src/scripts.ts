import { createHash } from 'node:crypto';
import { RECORD_FIELDS as F } from './record-hash.js';

/**
 * The Lua scripts, one per transition. Each script runs its transition on every key in
 * `KEYS`, one after another, as the same per-key function: a standalone server takes a
 * whole batch in one call (one command, one script run), and a Redis Cluster (Valkey
 * Cluster) client sends one call per key, `KEYS[1]` only, so each runs on the node that
 * owns the key's slot. One key or many, a key's outcome is the same: the per-key code is
 * the same, and each key's errors are caught and answered for that key alone.
 *
 * Time is the caller's: every script compares against `now` from the arguments, never
 * `TIME`, so leases and windows mean the same as in every other oncely store and a test's
 * manual clock drives them. The key's native expiry (`PEXPIRE`) is set to the same window,
 * so Redis drops finished records itself.
 *
 * Arguments carry values only, never field names (the scripts name the fields, from
 * `RECORD_FIELDS`): each argument is one more buffer for the client to encode and write.
 * `ARGV` holds one group per key, in the order of `KEYS`: the group's length, then its
 * values (so optional values, such as a fingerprint or a result, may be left out).
 *
 * The reply is an array with one reply per key. A key's reply is an array whose first
 * element says what happened (`claimed`, `taken`, `ok`, `lost`), followed by the record's
 * HGETALL pairs where the caller needs them, or `{'error', message}` when a command on
 * that key failed (`WRONGTYPE`, `OOM`): the keys before and after it keep their outcomes,
 * as separate calls would. Optional fields are absent from those pairs rather than
 * `false`, whose conversion differs between RESP2 and RESP3 clients.
 */

/** A script and the SHA1 that EVALSHA calls it by. */
export interface Script {
  readonly name: 'claim' | 'complete' | 'release' | 'extend';
  readonly source: string;
  readonly sha: string;
}

/**
 * The script of a transition from its per-key body, a Lua function of `key`, `a` (the
 * index in `ARGV` just before the key's values: its first value is `ARGV[a + 1]`) and `n`
 * (how many values it has).
 */
function script(name: Script['name'], body: string): Script {
  const source = `local function one(key, a, n)
${body}
end
local replies = {}
local a = 1
for i = 1, #KEYS do
  local n = tonumber(ARGV[a])
  local ok, reply = pcall(one, KEYS[i], a, n)
  if ok then
    replies[i] = reply
  elseif type(reply) == 'table' and reply.err then
    replies[i] = {'error', reply.err}
  else
    replies[i] = {'error', tostring(reply)}
  end
  a = a + n + 1
end
return replies`;
  return { name, source, sha: createHash('sha1').update(source).digest('hex') };
}

/**
 * Claim. Values: now (ms), the new token, the key's expiry in ms, leaseUntil, expiresAt,
 * and the fingerprint when there is one. Takes a key that is absent, past its window, or
 * IN_PROGRESS with its lease over (the same rule as `isClaimable` in `@oncely/core`).
 *
 * - `{'claimed'}`: a new record; `{'claimed', old}`: it replaced the live record `old`
 *   (a takeover), or `old` carries our own token: an earlier send of this very call
 *   landed and its answer was lost (a client that resends after a reconnect), so the
 *   claim is ours, reported as a possible takeover rather than a wait on our own lease.
 * - `{'taken', old}`: `old` holds the key (completed, or its lease is live).
 *
 * The store sends each key of a batch once (`claimEachKeyOnce` in `@oncely/core` answers
 * its later copies), so every key is judged by the clock of its first copy.
 */
const CLAIM = script(
  'claim',
  `local now = tonumber(ARGV[a + 1])
local token = ARGV[a + 2]
local old = redis.call('HGETALL', key)
local live = false
if #old > 0 then
  local record = {}
  for i = 1, #old, 2 do record[old[i]] = old[i + 1] end
  local expiresAt = tonumber(record.${F.expiresAt})
  local leaseUntil = tonumber(record.${F.leaseUntil})
  if expiresAt == nil or leaseUntil == nil then
    return {'error', 'ERR oncely: key ' .. key .. ' holds a hash that is not an oncely record'}
  end
  if record.${F.token} == token then return {'claimed', old} end
  live = expiresAt * 1000 > now
  if live and (record.${F.status} == 'COMPLETED' or leaseUntil > now) then return {'taken', old} end
  -- Claimable: start from an empty hash, so no result or fingerprint of the old window stays.
  redis.call('DEL', key)
end
redis.call('HSET', key, '${F.status}', 'IN_PROGRESS', '${F.token}', token, '${F.leaseUntil}', ARGV[a + 4], '${F.expiresAt}', ARGV[a + 5])
if n >= 6 then redis.call('HSET', key, '${F.fingerprint}', ARGV[a + 6]) end
redis.call('PEXPIRE', key, ARGV[a + 3])
if live then return {'claimed', old} end
return {'claimed'}`,
);

/**
 * Complete, fenced by the token. Values: token, the key's new expiry in ms, expiresAt, and
 * the result when there is one. `{'ok', leaseUntil, fingerprint?}` (the caller knows the
 * rest of the record, so the result is not sent back); `{'lost', current}` when the token
 * no longer owns the key.
 */
const COMPLETE = script(
  'complete',
  `local held = redis.call('HMGET', key, '${F.token}', '${F.leaseUntil}', '${F.fingerprint}')
if held[1] ~= ARGV[a + 1] then return {'lost', redis.call('HGETALL', key)} end
redis.call('HSET', key, '${F.status}', 'COMPLETED', '${F.expiresAt}', ARGV[a + 3])
if n >= 4 then redis.call('HSET', key, '${F.result}', ARGV[a + 4]) end
redis.call('PEXPIRE', key, ARGV[a + 2])
if held[3] then return {'ok', held[2], held[3]} end
return {'ok', held[2]}`,
);

/** Release, fenced by the token. Values: token. `{'ok'}` or `{'lost', current}`. */
const RELEASE = script(
  'release',
  `if redis.call('HGET', key, '${F.token}') == ARGV[a + 1] then
  redis.call('DEL', key)
  return {'ok'}
end
return {'lost', redis.call('HGETALL', key)}`,
);

/**
 * Extend, fenced by the token and IN_PROGRESS. Values: token, the new leaseUntil. The key's
 * expiry stays: a lease never outlives the window. `{'ok', record}` or `{'lost', current}`.
 */
const EXTEND = script(
  'extend',
  `local held = redis.call('HMGET', key, '${F.token}', '${F.status}')
if held[1] == ARGV[a + 1] and held[2] == 'IN_PROGRESS' then
  redis.call('HSET', key, '${F.leaseUntil}', ARGV[a + 2])
  return {'ok', redis.call('HGETALL', key)}
end
return {'lost', redis.call('HGETALL', key)}`,
);

/** The four scripts, by transition. Internal. */
export const SCRIPTS = { claim: CLAIM, complete: COMPLETE, release: RELEASE, extend: EXTEND };
