import {
  type BatchResults,
  type ClaimItem,
  type ClaimOutcome,
  claimEachKeyOnce,
  claimRecord,
  type DedupRecord,
  isClaimable,
  isExpired,
  isLeaseLive,
  StoreError,
} from '@oncely/core';
import { type Row, rowRecord, type StoreContext, settleStatement } from './context.js';
import { postgresStoreError } from './faults.js';
import type { PostgresQueryable } from './pool.js';

/** A record to write if its key is free at `now`: a claim's IN_PROGRESS, a commit's COMPLETED. */
export interface RecordWrite {
  readonly record: DedupRecord;
  readonly now: number;
}

/** Why a write could not take its key: the record that holds it. */
export type Taken =
  | { readonly kind: 'duplicate'; readonly record: DedupRecord }
  | { readonly kind: 'in_progress'; readonly record: DedupRecord; readonly retryAfterMs: number };

/** What a claim statement did with one key. */
export type WriteAnswer = { readonly kind: 'written'; readonly previous?: DedupRecord } | Taken;

/**
 * Rounds a write may take: a key whose holder committed after the statement's snapshot
 * is read again (round 2), and claimed again if it has become free meanwhile (a release,
 * an expiry). Past this the call gives up with a retryable error.
 */
const MAX_ROUNDS = 4;

/** What `record` answers to a write at `now` that found it holding the key. */
export function taken(record: DedupRecord, now: number): Taken {
  return isLeaseLive(record, now)
    ? { kind: 'in_progress', record, retryAfterMs: record.leaseUntil - now }
    : { kind: 'duplicate', record };
}

/**
 * Writes each record whose key is free (absent, expired, or IN_PROGRESS with its lease
 * over), all in one claim statement: one query for any number of distinct keys. Each
 * key's answer is what a claim of it alone would be. Internal.
 */
export async function writeIfFree(
  db: PostgresQueryable,
  context: StoreContext,
  operation: 'claim' | 'commit',
  writes: readonly RecordWrite[],
): Promise<PromiseSettledResult<WriteAnswer>[]> {
  const answers: PromiseSettledResult<WriteAnswer>[] = new Array(writes.length);
  let pending = writes.map((write, index) => ({ key: write.record.key, write, index }));
  for (let round = 0; pending.length > 0 && round < MAX_ROUNDS; round++) {
    const settled = await settleStatement(db, context, operation, pending, (client, items) =>
      sendClaims(client, context, operation, items),
    );
    const raced = pending.filter((item, at) => {
      const outcome = settled[at] as PromiseSettledResult<WriteAnswer | undefined>;
      if (outcome.status === 'fulfilled' && outcome.value === undefined) return true;
      answers[item.index] = outcome as PromiseSettledResult<WriteAnswer>;
      return false;
    });
    pending = raced.length === 0 ? [] : await readAgain(db, context, operation, raced, answers);
  }
  for (const item of pending) {
    answers[item.index] = {
      status: 'rejected',
      reason: new StoreError(
        `Store "${context.storeName}" could not ${operation} key "${item.key}": its record kept changing under the write; retry later`,
        operation,
        true,
        { storeKey: item.key },
      ),
    };
  }
  return answers;
}

type Pending = { readonly key: string; readonly write: RecordWrite; readonly index: number };

/** One claim statement; `undefined` for a key whose holder the snapshot cannot show. */
async function sendClaims(
  db: PostgresQueryable,
  context: StoreContext,
  operation: 'claim' | 'commit',
  items: readonly Pending[],
): Promise<PromiseSettledResult<WriteAnswer | undefined>[]> {
  const records = items.map((item) => item.write.record);
  const { rows } = await db.query(context.statements.claim, [
    records.map((r) => r.key),
    records.map((r) => r.status),
    records.map((r) => r.token),
    records.map((r) => r.leaseUntil),
    records.map((r) => r.expiresAt),
    records.map((r) => r.fingerprint ?? null),
    records.map((r) => r.result ?? null),
    items.map((item) => item.write.now),
  ]);
  const byKey = new Map(rows.map((row) => [row.input_key as string, row]));
  return items.map((item) => {
    try {
      return {
        status: 'fulfilled',
        value: judge(context, operation, item.write, byKey.get(item.key)),
      };
    } catch (reason) {
      return { status: 'rejected', reason };
    }
  });
}

/** Reads one claim statement's row for a key. */
function judge(
  context: StoreContext,
  operation: 'claim' | 'commit',
  write: RecordWrite,
  row: Row | undefined,
): WriteAnswer | undefined {
  if (row === undefined)
    throw new Error(`the claim statement answered no row for "${write.record.key}"`);
  const snapshot = rowRecord(context, operation, row);
  if (row.replaced === true || row.replaced === false) {
    // Only a live (unexpired) record taken over is a takeover: its owner may have run the effect.
    const previous =
      row.replaced && snapshot !== undefined && !isExpired(snapshot, write.now)
        ? snapshot
        : undefined;
    return previous ? { kind: 'written', previous } : { kind: 'written' };
  }
  if (snapshot !== undefined && !isClaimable(snapshot, write.now))
    return taken(snapshot, write.now);
  return undefined;
}

/**
 * Reads the keys whose holder committed after the claim's snapshot: a record that holds
 * the key answers the claim; the keys found free go round again.
 */
async function readAgain(
  db: PostgresQueryable,
  context: StoreContext,
  operation: 'claim' | 'commit',
  raced: readonly Pending[],
  answers: PromiseSettledResult<WriteAnswer>[],
): Promise<Pending[]> {
  let rows: readonly Row[];
  try {
    ({ rows } = await db.query(context.statements.read, [raced.map((item) => item.key)]));
  } catch (error) {
    for (const item of raced) {
      answers[item.index] = {
        status: 'rejected',
        reason: postgresStoreError(error, { ...context, operation, storeKey: item.key }),
      };
    }
    return [];
  }
  const byKey = new Map(rows.map((row) => [row.key as string, row]));
  return raced.filter((item) => {
    try {
      const row = byKey.get(item.key);
      const record = row === undefined ? undefined : rowRecord(context, operation, row);
      if (record === undefined || isClaimable(record, item.write.now)) return true;
      answers[item.index] = { status: 'fulfilled', value: taken(record, item.write.now) };
    } catch (reason) {
      answers[item.index] = { status: 'rejected', reason };
    }
    return false;
  });
}

/** A write's answer as the claim's outcome. Internal. */
export function claimOutcome(record: DedupRecord, answer: WriteAnswer): ClaimOutcome {
  if (answer.kind !== 'written') return answer;
  const { token } = record;
  return answer.previous
    ? { kind: 'claimed', token, record, previous: answer.previous }
    : { kind: 'claimed', token, record };
}

/**
 * Claims many keys in one statement. A key given more than once is claimed once, by its
 * first copy; the later copies find that copy's claim holding it (`in_progress`), or, if
 * the first did not claim, get the first copy's answer. Internal.
 */
export async function claimMany(
  db: PostgresQueryable,
  context: StoreContext,
  items: readonly ClaimItem[],
): Promise<BatchResults<ClaimOutcome>> {
  return claimEachKeyOnce(items, async (firsts) => {
    const writes = firsts.map((item) => ({ record: claimRecord(item.key, item), now: item.now }));
    const answers = await writeIfFree(db, context, 'claim', writes);
    return answers.map((answer, at): PromiseSettledResult<ClaimOutcome> => {
      if (answer.status === 'rejected') return answer;
      return {
        status: 'fulfilled',
        value: claimOutcome((writes[at] as RecordWrite).record, answer.value),
      };
    });
  });
}
