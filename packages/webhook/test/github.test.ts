import { createHmac } from 'node:crypto';
import { InvalidOptionError } from '@oncely/core';
import { describe, expect, it } from 'vitest';
import {
  githubSignatureHeader,
  githubWebhooks,
  MissingKeyError,
  WebhookVerificationError,
} from '../src/index.js';
import { incoming, rejection } from './support.js';

const secret = 'gh-secret';
const body = JSON.stringify({ action: 'opened', issue: { number: 1 } });
const signature = `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
const headers = {
  'x-hub-signature-256': signature,
  'x-github-delivery': '72d3162e-cc78-11e3-81ab-4c9367dc0958',
  'x-github-hook-id': '292430182',
  'x-github-event': 'issues',
};

describe('githubWebhooks', () => {
  it('builds the documented header', () => {
    expect(githubSignatureHeader(secret, body)).toBe(signature);
  });

  it('keys by hook and delivery by default, so two hooks sharing an event GUID stay apart', async () => {
    const provider = githubWebhooks({ secret });
    const first = await provider.identify(incoming(body, headers));
    const second = await provider.identify(
      incoming(body, { ...headers, 'x-github-hook-id': '999' }),
    );
    expect(first.key).toBe('292430182:72d3162e-cc78-11e3-81ab-4c9367dc0958');
    expect(second.key).not.toBe(first.key);
  });

  it("keys by the delivery GUID alone with scope: 'event'", async () => {
    const provider = githubWebhooks({ secret, scope: 'event' });
    const { key, fingerprint } = await provider.identify(incoming(body, headers));
    expect(key).toBe('72d3162e-cc78-11e3-81ab-4c9367dc0958');
    expect(fingerprint).toMatch(/^[\w-]{43}$/);
  });

  it.each([
    ['a missing signature', { 'x-hub-signature-256': '' }],
    ['the SHA-1 header only', { 'x-hub-signature-256': '', 'x-hub-signature': 'sha1=abc' }],
    ['a signature without the sha256= prefix', { 'x-hub-signature-256': signature.slice(7) }],
    ['a wrong secret', { 'x-hub-signature-256': githubSignatureHeader('other', body) }],
  ])('rejects %s with 401', async (_case, override) => {
    const provider = githubWebhooks({ secret });
    const merged = Object.fromEntries(
      Object.entries({ ...headers, ...override }).filter(([, value]) => value !== ''),
    );
    const error = await rejection(() => provider.identify(incoming(body, merged)));
    expect(error).toBeInstanceOf(WebhookVerificationError);
  });

  it.each([
    ['X-GitHub-Delivery', 'x-github-delivery'],
    ['X-GitHub-Hook-ID', 'x-github-hook-id'],
  ])('rejects a verified delivery without %s as a MissingKeyError', async (source, header) => {
    const provider = githubWebhooks({ secret });
    const { [header]: _removed, ...rest } = headers as Record<string, string>;
    const error = await rejection(() => provider.identify(incoming(body, rest)));
    expect(error).toBeInstanceOf(MissingKeyError);
    expect((error as MissingKeyError).source).toBe(source);
  });

  it('rejects a bad scope at construction', () => {
    expect(() => githubWebhooks({ secret, scope: 'repo' as never })).toThrow(InvalidOptionError);
  });
});
