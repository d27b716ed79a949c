/**
 * Two copies of `@oncely/core` in one process (an adapter that resolved its own copy next
 * to the store's) each define every error class. These tests load the errors module a
 * second time, as such a copy would, and check that `instanceof` still recognises errors
 * across the two: adapters map `InProgressError` to "come back later", and a missed match
 * would turn it into a failure of another kind.
 */
import { silentLogger } from '@oncely/core';
import { describe, expect, it } from 'vitest';
import { errorResponse } from '../../webhook/src/error-response.js';
import * as here from '../src/errors.js';

type ErrorsModule = typeof here;

async function otherCopy(): Promise<ErrorsModule> {
  // A query string gives the module a new identity: a second, separately evaluated copy.
  const url = new URL('../src/errors.ts?second-copy', import.meta.url).href;
  const copy: ErrorsModule = await import(/* @vite-ignore */ url);
  expect(copy.OncelyError).not.toBe(here.OncelyError);
  return copy;
}

describe('errors across two copies of @oncely/core', () => {
  it('instanceof recognises an error from the other copy, by class and by ancestor', async () => {
    const copy = await otherCopy();
    const error = new copy.InProgressError('busy', 1000, { key: 'k' });
    expect(error instanceof here.InProgressError).toBe(true);
    expect(error instanceof here.OncelyError).toBe(true);
    expect(new copy.StoreError('down', 'claim', true, {}) instanceof here.StoreError).toBe(true);
  });

  it('instanceof still tells classes apart', async () => {
    const copy = await otherCopy();
    expect(new copy.InProgressError('busy', 1000, {}) instanceof here.StoreError).toBe(false);
    expect(new Error('plain') instanceof here.OncelyError).toBe(false);
    expect(
      Object.assign(new Error('x'), { name: 'InProgressError' }) instanceof here.InProgressError,
    ).toBe(false);
  });

  it('an adapter maps the other copy’s InProgressError as its own (webhook: 409)', async () => {
    const copy = await otherCopy();
    const response = errorResponse(
      new copy.InProgressError('busy', 2000, { key: 'k' }),
      silentLogger,
    );
    expect(response.status).toBe(409);
  });
});

describe('KeyReadError across two copies of @oncely/core', () => {
  it('an adapter’s key failure built on the other copy is a KeyReadError here', async () => {
    const copy = await otherCopy();
    class MessageKeyError extends copy.KeyReadError {
      override name = 'MessageKeyError';
    }
    const error = new MessageKeyError('no key', 'header id', 'missing');
    expect(error instanceof here.KeyReadError).toBe(true);
    expect(error instanceof here.InvalidInputError).toBe(true);
    expect(error instanceof here.InvalidKeyError).toBe(false);
    expect(new copy.InvalidInputError('bad body') instanceof here.KeyReadError).toBe(false);
  });
});
