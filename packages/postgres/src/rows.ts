import { type DedupRecord, StoreError, type StoreOperation } from '@oncely/core';

/** A row as node-postgres returns it: `bigint` columns arrive as strings. */
type Row = Readonly<Record<string, unknown>>;

/**
 * The record in a row's record columns (`key`, `status`, ...), or `undefined` when the
 * row has none (a LEFT JOIN that found nothing). A row that is not a record (someone
 * else wrote the table) is a non-retryable `StoreError`, never a guess. Internal.
 */
export function recordOf(
  row: Row,
  storeName: string,
  operation: StoreOperation,
): DedupRecord | undefined {
  const { key, status, token } = row;
  if (key === null || key === undefined) return undefined;
  const leaseUntil = Number(row.lease_until);
  const expiresAt = Number(row.expires_at);
  if (
    typeof key !== 'string' ||
    (status !== 'IN_PROGRESS' && status !== 'COMPLETED') ||
    typeof token !== 'string' ||
    !Number.isSafeInteger(leaseUntil) ||
    !Number.isSafeInteger(expiresAt)
  ) {
    throw new StoreError(
      `Store "${storeName}" read a malformed record for key "${String(key)}": ${JSON.stringify({ status, token, leaseUntil: row.lease_until, expiresAt: row.expires_at })}`,
      operation,
      false,
      { storeKey: String(key) },
    );
  }
  const { fingerprint, result } = row;
  return {
    key,
    status,
    token,
    leaseUntil,
    expiresAt,
    ...(typeof fingerprint === 'string' ? { fingerprint } : {}),
    ...(typeof result === 'string' ? { result } : {}),
  };
}
