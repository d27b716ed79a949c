import type { DedupRecord } from '@oncely/core';

/**
 * A span of milliseconds as people read it: `1h 2m`, `3m 4s`, `5s`, `120ms`.
 *
 * @example
 * humanDuration(61_000); // '1m 1s'
 */
export function humanDuration(ms: number): string {
  const abs = Math.abs(ms);
  if (abs < 1000) return `${Math.round(abs)}ms`;
  const units: [string, number][] = [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ];
  const parts: string[] = [];
  let rest = abs;
  for (const [unit, size] of units) {
    const count = Math.floor(rest / size);
    if (count > 0 || parts.length > 0) parts.push(`${count}${unit}`);
    rest -= count * size;
    if (parts.length === 2) break;
  }
  return parts.filter((part) => !/^0[a-z]$/.test(part)).join(' ');
}

/** The lease as a phrase: `12s left`, `ended 3m 4s ago`, or `-` for a completed record. */
export function leaseText(record: DedupRecord, now: number): string {
  if (record.status === 'COMPLETED') return '-';
  const left = record.leaseUntil - now;
  return left > 0 ? `${humanDuration(left)} left` : `ended ${humanDuration(left)} ago`;
}

/** The expiry as a phrase: `2026-12-03T02:00:00.000Z (in 23h 59m)`. */
export function expiresText(record: DedupRecord, now: number): string {
  const at = record.expiresAt * 1000;
  return `${new Date(at).toISOString()} (in ${humanDuration(at - now)})`;
}

/** The stored result's size in bytes (UTF-8), `undefined` when none is kept. */
export function resultBytes(record: DedupRecord): number | undefined {
  return record.result === undefined ? undefined : Buffer.byteLength(record.result, 'utf8');
}

/** A record for `--json`: the stored fields, the computed ones beside them, never the result itself. */
export function recordJson(record: DedupRecord, now: number): Record<string, unknown> {
  return {
    storeKey: record.key,
    status: record.status,
    token: record.token,
    leaseUntil: record.leaseUntil,
    leaseRemainingMs: record.status === 'IN_PROGRESS' ? record.leaseUntil - now : null,
    stuck: record.status === 'IN_PROGRESS' && record.leaseUntil <= now,
    expiresAt: record.expiresAt,
    fingerprint: record.fingerprint ?? null,
    resultBytes: resultBytes(record) ?? null,
  };
}

/**
 * Rows as plain padded columns, the first row the header. No borders, so the output
 * stays greppable and `cut`-able.
 *
 * @example
 * table([['KEY', 'STATUS'], ['a#1', 'COMPLETED']]); // 'KEY  STATUS\na#1  COMPLETED\n'
 */
export function table(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, index) => {
      widths[index] = Math.max(widths[index] ?? 0, cell.length);
    });
  }
  return rows
    .map((row) =>
      row
        .map((cell, index) => (index === row.length - 1 ? cell : cell.padEnd(widths[index] ?? 0)))
        .join('  '),
    )
    .join('\n')
    .concat('\n');
}
