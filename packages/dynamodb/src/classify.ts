import { type DedupRecord, isLeaseLive } from '@oncely/core';

/** Why a claim or commit could not take a key: the record that holds it. */
export type TakenOutcome =
  | { readonly kind: 'duplicate'; readonly record: DedupRecord }
  | { readonly kind: 'in_progress'; readonly record: DedupRecord; readonly retryAfterMs: number };

/**
 * Classifies the record a failed claim condition returned. DynamoDB evaluated the
 * condition at `now`, so the record is either live and IN_PROGRESS (in progress)
 * or COMPLETED and unexpired (a duplicate).
 */
export function classifyTaken(record: DedupRecord, now: number): TakenOutcome {
  return isLeaseLive(record, now)
    ? { kind: 'in_progress', record, retryAfterMs: record.leaseUntil - now }
    : { kind: 'duplicate', record };
}
