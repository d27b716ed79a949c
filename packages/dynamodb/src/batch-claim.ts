import {
  type BatchResults,
  type ClaimItem,
  type ClaimOutcome,
  claimEachKeyOnce,
  claimRecord,
  type DedupRecord,
  isExpired,
  StoreError,
} from '@oncely/core';
import { classifyTaken } from './classify.js';
import {
  executeStatements,
  type StatementLimits,
  type StatementResult,
} from './execute-statements.js';
import type { BatchStatements } from './partiql.js';
import { readRecord, type TableContext } from './table.js';

/**
 * Rounds a claim may take: a key that vanishes between its INSERT and its UPDATE (a
 * release or an operator deleted it in between) or appears between its UPDATE and its
 * INSERT goes round again. One or two rounds are the common case; past six the claim
 * gives up with a retryable error.
 */
const MAX_ROUNDS = 6;

/** One key of the batch (its first copy) and the record its claim would write. */
interface KeyClaim {
  readonly item: ClaimItem;
  readonly record: DedupRecord;
  outcome?: PromiseSettledResult<ClaimOutcome>;
}

/**
 * Claims many keys in rounds of `BatchExecuteStatement`:
 *
 * - an `INSERT` claims a new key; for a key that exists it is refused with
 *   `DuplicateItem` (and no item, so the key cannot be classified yet), and the key
 *   gets an UPDATE in the next round;
 * - an `UPDATE ... WHERE` the claim condition (window over, or lease ended)
 *   `RETURNING ALL OLD *` takes over a claimable record (the old record tells a takeover
 *   apart), or is refused with the record that holds the key, which classifies it as
 *   duplicate or in progress, or recognises this batch's own token when an earlier send
 *   landed and its answer was lost; refused with no item, the key does not exist, and
 *   gets an INSERT in the next round.
 *
 * Keys start with an INSERT, because a queue's messages are mostly new: a batch of new
 * messages costs 1 request to claim, where update first would cost 2. A key whose
 * source says it is a redelivery (`likelyExists`) starts with its UPDATE instead, in the
 * same request, so a batch mixing new messages and redeliveries is claimed in 1 request
 * too. A key given twice is sent once (`claimEachKeyOnce`): its later copies find the
 * first copy holding it (`in_progress`).
 */
export async function claimMany(
  table: TableContext,
  statements: BatchStatements,
  items: readonly ClaimItem[],
  limits: StatementLimits,
): Promise<BatchResults<ClaimOutcome>> {
  return claimEachKeyOnce(items, (firsts) => claimKeys(table, statements, firsts, limits));
}

/** Claims `items`, each of a different key, in rounds. */
async function claimKeys(
  table: TableContext,
  statements: BatchStatements,
  items: readonly ClaimItem[],
  limits: StatementLimits,
): Promise<BatchResults<ClaimOutcome>> {
  const claims: KeyClaim[] = items.map((item) => ({ item, record: claimRecord(item.key, item) }));
  let toInsert = claims.filter((claim) => claim.item.likelyExists !== true);
  let toUpdate = claims.filter((claim) => claim.item.likelyExists === true);
  for (let round = 0; toInsert.length + toUpdate.length > 0 && round < MAX_ROUNDS; round++) {
    // INSERTs and UPDATEs are all writes, so one request carries both.
    const results = await executeStatements(
      table,
      'claim',
      [
        ...toInsert.map((claim) => ({
          storeKey: claim.item.key,
          statement: statements.insert(claim.record),
        })),
        ...toUpdate.map((claim) => ({
          storeKey: claim.item.key,
          statement: statements.takeover(claim.record, claim.item.now),
        })),
      ],
      limits,
    );
    const inserted = results.slice(0, toInsert.length);
    const updated = results.slice(toInsert.length);
    const nextInsert: KeyClaim[] = [];
    const nextUpdate: KeyClaim[] = [];
    for (const [index, claim] of toInsert.entries()) {
      const result = inserted[index] as StatementResult;
      // The key exists: classify it (or take it over) with an UPDATE next round.
      if (result.kind === 'refused') nextUpdate.push(claim);
      else claim.outcome = result.kind === 'ok' ? claimedNew(claim) : rejected(result.error);
    }
    for (const [index, claim] of toUpdate.entries()) {
      const result = updated[index] as StatementResult;
      // Refused with no item: the key does not exist (any more): INSERT it next round.
      if (result.kind === 'refused' && result.item === undefined) nextInsert.push(claim);
      else claim.outcome = afterUpdate(table, claim, result);
    }
    toInsert = nextInsert;
    toUpdate = nextUpdate;
  }
  for (const claim of [...toInsert, ...toUpdate]) {
    claim.outcome = rejected(keptChanging(table, claim.item.key));
  }
  return claims.map((claim) => claim.outcome as PromiseSettledResult<ClaimOutcome>);
}

function claimedNew(claim: KeyClaim): PromiseSettledResult<ClaimOutcome> {
  const { record } = claim;
  return { status: 'fulfilled', value: { kind: 'claimed', token: record.token, record } };
}

/** The outcome of the UPDATE round for a key that existed at the INSERT. */
function afterUpdate(
  table: TableContext,
  claim: KeyClaim,
  result: StatementResult,
): PromiseSettledResult<ClaimOutcome> {
  const { record, item } = claim;
  try {
    if (result.kind === 'fault') return rejected(result.error);
    if (result.kind === 'ok') {
      const old =
        result.item === undefined ? undefined : readRecord(table, 'claim', item.key, result.item);
      // Only a live (unexpired) record is a takeover: its owner may have run the effect.
      const previous = old !== undefined && !isExpired(old, item.now) ? old : undefined;
      const value: ClaimOutcome = previous
        ? { kind: 'claimed', token: record.token, record, previous }
        : { kind: 'claimed', token: record.token, record };
      return { status: 'fulfilled', value };
    }
    const blocking = readRecord(
      table,
      'claim',
      item.key,
      result.item as NonNullable<typeof result.item>,
    );
    // Our own token: an earlier send of this claim landed and its answer was lost. The
    // claim is ours; what that send replaced is unknown, so it is reported as a possible
    // takeover, as the single claim does.
    if (blocking.token === record.token) {
      return {
        status: 'fulfilled',
        value: { kind: 'claimed', token: record.token, record, previous: blocking },
      };
    }
    return { status: 'fulfilled', value: classifyTaken(blocking, item.now) };
  } catch (error) {
    return rejected(error);
  }
}

function rejected(reason: unknown): PromiseRejectedResult {
  return { status: 'rejected', reason };
}

function keptChanging(table: TableContext, storeKey: string): StoreError {
  return new StoreError(
    `Store "${table.storeName}" could not claim key "${storeKey}": the record was deleted and recreated under the claim ${MAX_ROUNDS / 2} times; retry later`,
    'claim',
    true,
    { storeKey },
  );
}
