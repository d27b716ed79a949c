import { createHash } from 'node:crypto';
import { InvalidKeyError } from './errors.js';

/**
 * Store keys longer than this many UTF-8 bytes are replaced by a SHA-256 digest.
 * DynamoDB caps a partition key at 2 KiB; 1 KiB leaves room for a sort key and
 * keeps items small.
 * @default 1024
 */
export const MAX_PLAIN_KEY_BYTES = 1024;

/** A UTF-16 string of this many units can never exceed 1 KiB in UTF-8 (3 bytes per unit). */
const SAFE_KEY_LENGTH = Math.floor(MAX_PLAIN_KEY_BYTES / 3);

/**
 * Builds the store key `namespace#key`, hashing it when it is over
 * {@link MAX_PLAIN_KEY_BYTES}. Throws {@link InvalidKeyError} for an empty or
 * non-string key, so a missing ID can never collapse many messages onto one record.
 *
 * @example
 * toStoreKey('payments', 'evt_123'); // 'payments#evt_123'
 */
export function toStoreKey(namespace: string, key: unknown): string {
  assertValidKey(key);
  const full = `${namespace}#${key}`;
  if (full.length <= SAFE_KEY_LENGTH || Buffer.byteLength(full, 'utf8') <= MAX_PLAIN_KEY_BYTES) {
    return full;
  }
  return `${namespace}#sha256:${createHash('sha256').update(key, 'utf8').digest('hex')}`;
}

/** Throws {@link InvalidKeyError} unless `key` is a non-empty string. */
export function assertValidKey(key: unknown): asserts key is string {
  if (typeof key !== 'string') {
    throw new InvalidKeyError(
      `Dedup key must be a non-empty string, got ${key === null ? 'null' : typeof key}`,
    );
  }
  if (key.length === 0) {
    throw new InvalidKeyError('Dedup key must be a non-empty string, got an empty string', { key });
  }
}
