import {
  type BatchResults,
  type ClaimItem,
  type ClaimOutcome,
  type DedupRecord,
  expiresAtFor,
  isExpired,
  newToken,
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
 * How many times a key may vanish between the INSERT and the UPDATE round (deleted
 * by a release or an operator in between) before its claim gives up with a
 * retryable error. Each cycle costs two requests; one is the common case.
 */
const MAX_CYCLES = 3;

/** One distinct key of the batch and the record its claim would write. */
interface KeyClaim {
  readonly item: ClaimItem;
  readonly record: DedupRecord;
  outcome?: PromiseSettledResult<ClaimOutcome>;
}

/**
 * Claims many keys in two rounds of `BatchExecuteStatement`:
 *
 * 1. an `INSERT` per key: a new key is claimed; an existing one is refused with
 *    `DuplicateItem` (and no item, so it cannot be classified yet);
 * 2. for the refused keys, an `UPDATE ... WHERE` the claim condition (window over, or
 *    lease ended) `RETURNING ALL OLD *`: it takes over a claimable record (the old
 *    record tells a takeover apart), or is refused with the record that holds the key,
 *    which classifies it as duplicate or in progress, or recognises this batch's own
 *    token when an earlier send landed and its answer was lost.
 *
 * A key that vanished between the rounds goes back to round 1. Insert first, because
 * a batch of new messages is then 1 request (plus 1 to complete) and a batch of
 * redeliveries 2, where update first would cost new messages 3. A key given twice is
 * sent once: its later copies find the first copy holding it (`in_progress`).
 */
export async function claimMany(
  table: TableContext,
  statements: BatchStatements,
  items: readonly ClaimItem[],
  limits: StatementLimits,
): Promise<BatchResults<ClaimOutcome>> {
  const byKey = new Map<string, KeyClaim>();
  for (const item of items) {
    if (!byKey.has(item.key)) byKey.set(item.key, { item, record: claimRecord(item) });
  }
  let toInsert = [...byKey.values()];
  for (let cycle = 0; toInsert.length > 0 && cycle < MAX_CYCLES; cycle++) {
    const inserted = await executeStatements(
      table,
      'claim',
      toInsert.map((claim) => ({
        storeKey: claim.item.key,
        statement: statements.insert(claim.record),
      })),
      limits,
    );
    const toUpdate: KeyClaim[] = [];
    for (const [index, claim] of toInsert.entries()) {
      const result = inserted[index] as StatementResult;
      if (result.kind === 'refused') toUpdate.push(claim);
      else claim.outcome = result.kind === 'ok' ? claimedNew(claim) : rejected(result.error);
    }
    const updated = await executeStatements(
      table,
      'claim',
      toUpdate.map((claim) => ({
        storeKey: claim.item.key,
        statement: statements.takeover(claim.record, claim.item.now),
      })),
      limits,
    );
    toInsert = [];
    for (const [index, claim] of toUpdate.entries()) {
      const result = updated[index] as StatementResult;
      if (result.kind === 'refused' && result.item === undefined) toInsert.push(claim);
      else claim.outcome = afterUpdate(table, claim, result);
    }
  }
  for (const claim of toInsert) claim.outcome = rejected(keptChanging(table, claim.item.key));
  return items.map((item) => outcomeOf(byKey.get(item.key) as KeyClaim, item));
}

function claimRecord(item: ClaimItem): DedupRecord {
  return {
    key: item.key,
    status: 'IN_PROGRESS',
    token: newToken(),
    leaseUntil: item.now + item.leaseMs,
    expiresAt: expiresAtFor(item.now, item.ttlMs),
    ...(item.fingerprint === undefined ? {} : { fingerprint: item.fingerprint }),
  };
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

/** The outcome of one copy: the first copy's own, or for a later copy what it finds. */
function outcomeOf(claim: KeyClaim, item: ClaimItem): PromiseSettledResult<ClaimOutcome> {
  const outcome = claim.outcome as PromiseSettledResult<ClaimOutcome>;
  if (item === claim.item || outcome.status === 'rejected' || outcome.value.kind !== 'claimed') {
    return outcome;
  }
  const held = outcome.value.record;
  return {
    status: 'fulfilled',
    value: {
      kind: 'in_progress',
      record: held,
      retryAfterMs: Math.max(0, held.leaseUntil - item.now),
    },
  };
}

function rejected(reason: unknown): PromiseRejectedResult {
  return { status: 'rejected', reason };
}

function keptChanging(table: TableContext, storeKey: string): StoreError {
  return new StoreError(
    `Store "${table.storeName}" could not claim key "${storeKey}": the record was deleted and recreated under the claim ${MAX_CYCLES} times; retry later`,
    'claim',
    true,
    { storeKey },
  );
}
