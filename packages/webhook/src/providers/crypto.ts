import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { InvalidOptionError } from '@oncely/core';
import { describeValue } from '@oncely/core/adapter';

/** HMAC-SHA256 of `parts` (concatenated), as lowercase hex. */
export function hmacSha256Hex(secret: string, ...parts: readonly (string | Uint8Array)[]): string {
  const hmac = createHmac('sha256', secret);
  for (const part of parts) hmac.update(part);
  return hmac.digest('hex');
}

/** SHA-256 of `bytes`, base64url: a compact payload fingerprint. */
export function sha256Base64Url(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('base64url');
}

/**
 * Compares two strings in time that depends only on their lengths, so an attacker
 * cannot learn a valid signature byte by byte from response timings.
 */
export function constantTimeEqual(actual: string, expected: string): boolean {
  const a = Buffer.from(actual, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Validates a `secret` option: one non-empty string, or several (secret rotation:
 * a signature made with any of them is accepted).
 */
export function secretList(option: string, value: unknown): readonly string[] {
  const secrets = Array.isArray(value) ? value : [value];
  if (secrets.length === 0 || !secrets.every((s) => typeof s === 'string' && s.length > 0)) {
    throw new InvalidOptionError(
      option,
      `expected a non-empty string or an array of them, got ${describeValue(value)}`,
    );
  }
  return secrets as string[];
}
