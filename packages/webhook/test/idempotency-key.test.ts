import { InvalidKeyError, InvalidOptionError } from '@oncely/core';
import { describe, expect, it } from 'vitest';
import { idempotencyKey, MissingKeyError, WebhookVerificationError } from '../src/index.js';
import { incoming, rejection } from './support.js';

const provider = idempotencyKey({
  caller: (request) => request.headers.get('x-account') ?? undefined,
});
const identify = (key: string | undefined, account: string | null = 'acct_1', body = '{}') =>
  provider.identify(
    incoming(
      body,
      {
        ...(key === undefined ? {} : { 'idempotency-key': key }),
        ...(account === null ? {} : { 'x-account': account }),
      },
      Date.now(),
      { url: 'https://api.test/orders?tenant=a' },
    ),
  );

describe('idempotencyKey', () => {
  it('scopes the key by caller, so two clients choosing one key never collide', async () => {
    const a = await identify('order-1', 'acct_a');
    const b = await identify('order-1', 'acct_b');
    expect(a.key).toBe('acct_a:order-1');
    expect(b.key).toBe('acct_b:order-1');
  });

  it('encodes the caller so it cannot forge another caller’s scope', async () => {
    const tricky = await identify('x', 'acct_a:order-1');
    const plain = await identify('order-1:x', 'acct_a');
    expect(tricky.key).not.toBe(plain.key);
  });

  it('reads a structured-field string as the draft writes it, and a bare token', async () => {
    expect((await identify('"8e03978e-40d5-43e8-bc93-6894a57f9324"')).key).toBe(
      'acct_1:8e03978e-40d5-43e8-bc93-6894a57f9324',
    );
    expect((await identify('"with \\"quote\\" and \\\\"')).key).toBe('acct_1:with "quote" and \\');
    expect((await identify('8e03978e-40d5')).key).toBe('acct_1:8e03978e-40d5');
  });

  it('fingerprints method, path with query, and body', async () => {
    const first = await identify('k', 'acct_1', '{"amount":1}');
    const same = await identify('k', 'acct_1', '{"amount":1}');
    const other = await identify('k', 'acct_1', '{"amount":2}');
    expect(first.fingerprint).toEqual(same.fingerprint);
    expect(first.fingerprint).not.toEqual(other.fingerprint);
    expect(first.fingerprint).toMatchObject({ method: 'POST', path: '/orders?tenant=a' });
  });

  it('rejects a request without a caller with 401, before looking at the key', async () => {
    const error = await rejection(() => identify(undefined, null));
    expect(error).toBeInstanceOf(WebhookVerificationError);
  });

  it('rejects a missing or blank key as a MissingKeyError naming the header', async () => {
    for (const key of [undefined, '  ']) {
      const error = await rejection(() => identify(key));
      expect(error).toBeInstanceOf(MissingKeyError);
      expect((error as MissingKeyError).source).toBe('Idempotency-Key');
    }
  });

  it.each([
    ['two folded header fields', '"a", "b"'],
    ['an unterminated string', '"abc'],
    ['a bad escape', '"a\\nb"'],
    ['an empty string', '""'],
    ['spaces in a bare token', 'a b'],
    ['non-ASCII', 'clé'],
  ])('rejects %s as an InvalidKeyError', async (_case, key) => {
    const error = await rejection(() => identify(key));
    expect(error).toBeInstanceOf(InvalidKeyError);
  });

  it('enforces maxKeyLength', async () => {
    const short = idempotencyKey({ caller: () => 'c', maxKeyLength: 4 });
    const request = (key: string) => incoming('{}', { 'idempotency-key': key });
    expect((await short.identify(request('abcd'))).key).toBe('c:abcd');
    await expect(Promise.resolve().then(() => short.identify(request('abcde')))).rejects.toThrow(
      InvalidKeyError,
    );
  });

  it('reads a custom header, in the key option every adapter shares', async () => {
    const custom = idempotencyKey({ caller: () => 'c', key: { header: 'X-Request-Id' } });
    expect((await custom.identify(incoming('{}', { 'x-request-id': 'r1' }))).key).toBe('c:r1');
  });

  it('refuses the old header option, naming the new spelling', () => {
    const old = () => idempotencyKey({ caller: () => 'c', header: 'X-Request-Id' } as never);
    expect(old).toThrow(InvalidOptionError);
    expect(old).toThrow('key: { header: "X-Request-Id" }');
  });

  it('shows a misspelled key option as it was given', () => {
    const misspelled = () => idempotencyKey({ caller: () => 'c', key: { heder: 'X' } } as never);
    expect(misspelled).toThrow(expect.objectContaining({ option: 'key' }));
    expect(misspelled).toThrow('got {"heder":"X"}');
  });

  it.each([
    [{}, 'caller'],
    [{ caller: (): string => 'c', key: { header: 'bad header' } }, 'key'],
    [{ caller: (): string => 'c', key: { field: 'id' } }, 'key'],
    [{ caller: (): string => 'c', key: () => 'k' }, 'key'],
    [{ caller: (): string => 'c', maxKeyLength: 0 }, 'maxKeyLength'],
  ])('rejects bad options at construction (%o)', (options, option) => {
    expect(() => idempotencyKey(options as never)).toThrow(
      expect.objectContaining({ name: 'InvalidOptionError', option }),
    );
    expect(() => idempotencyKey(options as never)).toThrow(InvalidOptionError);
  });
});
