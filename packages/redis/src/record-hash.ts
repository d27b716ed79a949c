import type { DedupRecord } from '@oncely/core';

/**
 * A record is one Redis hash at `<keyPrefix><namespace#key>`, with the same field names as
 * the DynamoDB store's attributes, so `HGETALL` reads like the record it is:
 *
 * | field | value |
 * | --- | --- |
 * | `status` | `IN_PROGRESS` or `COMPLETED` |
 * | `token` | the owner token |
 * | `leaseUntil` | epoch ms, decimal |
 * | `expiresAt` | epoch seconds, decimal (the key's own expiry is set to the same moment) |
 * | `fingerprint` | only when the claim had one |
 * | `result` | only when the completion stored one |
 *
 * A hash, not one encoded string: the scripts read and set single fields without decoding
 * (or re-sending) a stored result, and an operator reads a record with `HGETALL`.
 *
 * @example
 * // redis-cli HGET oncely:payments#evt_123 status
 * RECORD_FIELDS.status; // 'status'
 */
export const RECORD_FIELDS = {
  status: 'status',
  token: 'token',
  leaseUntil: 'leaseUntil',
  expiresAt: 'expiresAt',
  fingerprint: 'fingerprint',
  result: 'result',
} as const;

/** The field/value pairs a claim writes (the whole hash: a claim starts from an empty key). */
export function claimFields(record: DedupRecord): string[] {
  const fields = [
    RECORD_FIELDS.status,
    record.status,
    RECORD_FIELDS.token,
    record.token,
    RECORD_FIELDS.leaseUntil,
    String(record.leaseUntil),
    RECORD_FIELDS.expiresAt,
    String(record.expiresAt),
  ];
  if (record.fingerprint !== undefined) fields.push(RECORD_FIELDS.fingerprint, record.fingerprint);
  return fields;
}

/** The field/value pairs a completion sets. */
export function completeFields(expiresAt: number, result: string | undefined): string[] {
  const fields = [RECORD_FIELDS.status, 'COMPLETED', RECORD_FIELDS.expiresAt, String(expiresAt)];
  if (result !== undefined) fields.push(RECORD_FIELDS.result, result);
  return fields;
}

/** A reply value as text: clients answer strings, or Buffers with a Buffer type mapping. */
export function text(value: unknown, what: string): string {
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array) return Buffer.from(value).toString('utf8');
  throw new TypeError(`expected ${what} as a string, got ${typeof value}`);
}

/** The fields of a flat `[field, value, field, value, ...]` reply (what HGETALL gives a script). */
export function pairsToFields(pairs: unknown): Record<string, unknown> {
  if (!Array.isArray(pairs) || pairs.length % 2 !== 0) {
    throw new TypeError('expected the record as field/value pairs');
  }
  const fields: Record<string, unknown> = {};
  for (let index = 0; index < pairs.length; index += 2) {
    fields[text(pairs[index], 'a field name')] = pairs[index + 1];
  }
  return fields;
}

function integer(fields: Record<string, unknown>, name: string): number {
  const value = Number(text(fields[name], `field ${name}`));
  if (!Number.isFinite(value)) throw new TypeError(`field ${name} is not a number`);
  return value;
}

/**
 * The record a hash holds, or `undefined` for an empty one (no such key). Throws a
 * `TypeError` naming the field when the hash is not an oncely record.
 */
export function fieldsToRecord(
  key: string,
  fields: Record<string, unknown>,
): DedupRecord | undefined {
  if (Object.keys(fields).length === 0) return undefined;
  const status = text(fields[RECORD_FIELDS.status], 'field status');
  if (status !== 'IN_PROGRESS' && status !== 'COMPLETED') {
    throw new TypeError(`field status is ${JSON.stringify(status)}, not IN_PROGRESS or COMPLETED`);
  }
  const fingerprint = fields[RECORD_FIELDS.fingerprint];
  const result = fields[RECORD_FIELDS.result];
  return {
    key,
    status,
    token: text(fields[RECORD_FIELDS.token], 'field token'),
    leaseUntil: integer(fields, RECORD_FIELDS.leaseUntil),
    expiresAt: integer(fields, RECORD_FIELDS.expiresAt),
    ...(fingerprint === undefined ? {} : { fingerprint: text(fingerprint, 'field fingerprint') }),
    ...(result === undefined ? {} : { result: text(result, 'field result') }),
  };
}
