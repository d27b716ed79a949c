import {
  type BatchResults,
  type CompleteItem,
  type DedupRecord,
  expiresAtFor,
  type FencedOutcome,
  type ReleaseItem,
} from '@oncely/core';
import {
  executeStatements,
  type KeyedStatement,
  type StatementLimits,
  type StatementResult,
} from './execute-statements.js';
import type { BatchStatements } from './partiql.js';
import { assertItemFits, readRecord, type TableContext } from './table.js';

/**
 * Room kept for the fingerprint when checking a completion's size: a completion does
 * not know the fingerprint the claim stored (core's are 43 bytes).
 */
export const FINGERPRINT_ALLOWANCE_BYTES = 256;

/**
 * Completes many records in token-fenced `UPDATE`s. A completion whose item would be
 * over DynamoDB's 400 KB limit is refused before sending (its siblings still go).
 */
export async function completeMany(
  table: TableContext,
  statements: BatchStatements,
  items: readonly CompleteItem[],
  limits: StatementLimits,
): Promise<BatchResults<FencedOutcome>> {
  const results = new Array<PromiseSettledResult<FencedOutcome>>(items.length);
  const toSend: { index: number; keyed: KeyedStatement }[] = [];
  for (const [index, item] of items.entries()) {
    const expiresAt = expiresAtFor(item.now, item.ttlMs);
    try {
      if (item.result !== undefined) assertCompletionFits(table, item, expiresAt);
    } catch (reason) {
      results[index] = { status: 'rejected', reason };
      continue;
    }
    const statement = statements.complete(item.key, item.token, expiresAt, item.result);
    toSend.push({ index, keyed: { storeKey: item.key, statement } });
  }
  await sendFenced(table, 'complete', toSend, limits, results);
  return results;
}

/** Releases many records in token-fenced `DELETE`s. */
export async function releaseMany(
  table: TableContext,
  statements: BatchStatements,
  items: readonly ReleaseItem[],
  limits: StatementLimits,
): Promise<BatchResults<FencedOutcome>> {
  const results = new Array<PromiseSettledResult<FencedOutcome>>(items.length);
  const toSend = items.map((item, index) => ({
    index,
    keyed: { storeKey: item.key, statement: statements.release(item.key, item.token) },
  }));
  await sendFenced(table, 'release', toSend, limits, results);
  return results;
}

async function sendFenced(
  table: TableContext,
  operation: 'complete' | 'release',
  toSend: readonly { index: number; keyed: KeyedStatement }[],
  limits: StatementLimits,
  results: PromiseSettledResult<FencedOutcome>[],
): Promise<void> {
  const answers = await executeStatements(
    table,
    operation,
    toSend.map((entry) => entry.keyed),
    limits,
  );
  for (const [position, { index, keyed }] of toSend.entries()) {
    results[index] = fencedOutcome(
      table,
      operation,
      keyed.storeKey,
      answers[position] as StatementResult,
    );
  }
}

/** A fenced statement's result: done (with the new record, when returned) or lease lost. */
function fencedOutcome(
  table: TableContext,
  operation: 'complete' | 'release',
  storeKey: string,
  result: StatementResult,
): PromiseSettledResult<FencedOutcome> {
  if (result.kind === 'fault') return { status: 'rejected', reason: result.error };
  try {
    const record =
      result.item === undefined ? undefined : readRecord(table, operation, storeKey, result.item);
    if (result.kind === 'ok') {
      return {
        status: 'fulfilled',
        value: record === undefined ? { ok: true } : { ok: true, record },
      };
    }
    const lost: FencedOutcome =
      record === undefined
        ? { ok: false, reason: 'lease_lost' }
        : { ok: false, reason: 'lease_lost', current: record };
    return { status: 'fulfilled', value: lost };
  } catch (reason) {
    return { status: 'rejected', reason };
  }
}

function assertCompletionFits(table: TableContext, item: CompleteItem, expiresAt: number): void {
  const completed: DedupRecord = {
    key: item.key,
    status: 'COMPLETED',
    token: item.token,
    leaseUntil: item.now,
    expiresAt,
    ...(item.result === undefined ? {} : { result: item.result }),
  };
  assertItemFits(item.key, table.codec.toItem(completed), FINGERPRINT_ALLOWANCE_BYTES);
}
