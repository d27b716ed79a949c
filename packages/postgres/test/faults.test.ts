import { OncelyError, StoreError } from '@oncely/core';
import { describe, expect, it } from 'vitest';
import { postgresStoreError } from '../src/faults.js';
import { isRetryablePostgresError, TableNotFoundError } from '../src/index.js';

/** An error shaped like node-postgres's `DatabaseError`. */
function databaseError(code: string, message = `SQLSTATE ${code}`): Error {
  return Object.assign(new Error(message), { code, severity: 'ERROR' });
}

const context = {
  operation: 'claim',
  storeKey: 'orders#k',
  storeName: 'postgres:t',
  table: '"t"',
} as const;

describe('isRetryablePostgresError', () => {
  it.each([
    ['40001', 'serialization_failure'],
    ['40P01', 'deadlock_detected'],
    ['55P03', 'lock_not_available'],
    ['57014', 'query_canceled (statement_timeout)'],
    ['57P01', 'admin_shutdown (pg_terminate_backend)'],
    ['57P03', 'cannot_connect_now'],
    ['53300', 'too_many_connections'],
    ['08006', 'connection_failure'],
  ])('retries SQLSTATE %s (%s)', (code) => {
    expect(isRetryablePostgresError(databaseError(code))).toBe(true);
  });

  it.each([
    ['23505', 'unique_violation'],
    ['22021', 'character_not_in_repertoire'],
    ['42601', 'syntax_error'],
    ['42P01', 'undefined_table'],
    ['42501', 'insufficient_privilege'],
  ])('does not retry SQLSTATE %s (%s)', (code) => {
    expect(isRetryablePostgresError(databaseError(code))).toBe(false);
  });

  it('retries socket errors and node-postgres’s dropped-connection errors, through causes', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), {
      code: 'ECONNREFUSED',
    });
    expect(isRetryablePostgresError(refused)).toBe(true);
    expect(isRetryablePostgresError(new AggregateError([refused], 'connect failed'))).toBe(true);
    expect(isRetryablePostgresError(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isRetryablePostgresError(new Error('timeout exceeded when trying to connect'))).toBe(
      true,
    );
    expect(isRetryablePostgresError(new Error('wrapped', { cause: databaseError('40P01') }))).toBe(
      true,
    );
    expect(isRetryablePostgresError(new Error('something else'))).toBe(false);
    expect(isRetryablePostgresError('40001')).toBe(false);
    // A socket code of five letters is not an SQLSTATE (every SQLSTATE has a digit).
    expect(
      isRetryablePostgresError(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' })),
    ).toBe(true);
  });
});

describe('postgresStoreError', () => {
  it('turns a missing table or schema into TableNotFoundError, not retryable', () => {
    for (const code of ['42P01', '3F000']) {
      const error = postgresStoreError(databaseError(code), context);
      expect(error).toBeInstanceOf(TableNotFoundError);
      expect(error).toMatchObject({
        retryable: false,
        operation: 'claim',
        storeKey: 'orders#k',
        tableName: '"t"',
      });
      expect(error.message).toContain('createTable');
    }
  });

  it('carries the operation, the key and the cause, retryable as classified', () => {
    const cause = databaseError('57014', 'canceling statement due to statement timeout');
    const error = postgresStoreError(cause, context);
    expect(error).toBeInstanceOf(StoreError);
    expect(error).toMatchObject({
      operation: 'claim',
      storeKey: 'orders#k',
      retryable: true,
      cause,
    });
    expect(error.message).toContain('statement timeout');
    expect(postgresStoreError(databaseError('23505'), context)).toMatchObject({ retryable: false });
  });

  it('lets oncely’s own errors through unchanged', () => {
    const own = new OncelyError('mine');
    expect(postgresStoreError(own, context)).toBe(own);
  });
});
