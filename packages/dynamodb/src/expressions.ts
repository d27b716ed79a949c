import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { AttributeNames } from './options.js';

/**
 * The condition and update expressions of each operation, built once per store.
 * Attribute names always go through placeholders, because configured names may be
 * DynamoDB reserved words (`status`, `token`, `result` all are).
 */
export interface Expressions {
  readonly claim: {
    /**
     * The record may be taken when absent, expired, or IN_PROGRESS with its lease
     * over. The same rules as core's `isClaimable`: expired iff `expiresAt * 1000 <= now`,
     * lease over iff `leaseUntil <= now`.
     */
    readonly condition: string;
    readonly names: Record<string, string>;
  };
  readonly complete: {
    readonly update: string;
    readonly updateWithResult: string;
    readonly condition: string;
    readonly names: Record<string, string>;
    readonly namesWithResult: Record<string, string>;
  };
  readonly release: { readonly condition: string; readonly names: Record<string, string> };
  readonly extend: {
    readonly update: string;
    readonly condition: string;
    readonly names: Record<string, string>;
  };
}

/** Builds the expressions for the configured attribute names. */
export function buildExpressions(a: AttributeNames): Expressions {
  // DynamoDB rejects unused placeholders, so each operation gets only the names it uses.
  const completeNames = { '#s': a.status, '#e': a.expiresAt, '#t': a.token };
  return {
    claim: {
      condition: 'attribute_not_exists(#k) OR #e <= :nowSec OR (#s = :inProgress AND #l <= :nowMs)',
      names: { '#k': a.key, '#e': a.expiresAt, '#s': a.status, '#l': a.leaseUntil },
    },
    complete: {
      update: 'SET #s = :completed, #e = :expiresAt',
      updateWithResult: 'SET #s = :completed, #e = :expiresAt, #r = :result',
      condition: '#t = :token',
      names: completeNames,
      namesWithResult: { ...completeNames, '#r': a.result },
    },
    release: { condition: '#t = :token', names: { '#t': a.token } },
    extend: {
      update: 'SET #l = :leaseUntil',
      condition: '#t = :token AND #s = :inProgress',
      names: { '#l': a.leaseUntil, '#t': a.token, '#s': a.status },
    },
  };
}

/** The values of the claim condition at `now` (epoch ms). */
export function claimValues(now: number): Record<string, AttributeValue> {
  return {
    // Numbers are decimal in DynamoDB, so now / 1000 compares exactly with whole-second expiresAt.
    ':nowSec': { N: String(now / 1000) },
    ':nowMs': { N: String(now) },
    ':inProgress': { S: 'IN_PROGRESS' },
  };
}
