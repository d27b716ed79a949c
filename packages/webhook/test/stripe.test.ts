import { createHmac } from 'node:crypto';
import { InvalidInputError, InvalidOptionError } from '@oncely/core';
import { describe, expect, it } from 'vitest';
import {
  MissingKeyError,
  stripeSignatureHeader,
  stripeWebhooks,
  WebhookVerificationError,
} from '../src/index.js';
import { incoming, rejection } from './support.js';

const secret = 'whsec_unit';
const t = 1_767_225_600; // 2026-01-01T00:00:00Z
const now = t * 1000;
const body = JSON.stringify({
  id: 'evt_1',
  type: 'charge.succeeded',
  data: { object: { amount: 5 } },
});
const v1 = (payload: string, key = secret, ts = t) =>
  createHmac('sha256', key).update(`${ts}.${payload}`).digest('hex');

describe('stripeWebhooks', () => {
  const provider = stripeWebhooks({ secret });

  it('accepts a signature computed as Stripe documents it and keys by the event id', async () => {
    const identity = await provider.identify(
      incoming(body, { 'stripe-signature': `t=${t},v1=${v1(body)}` }, now),
    );
    expect(identity.key).toBe('evt_1');
    expect(identity.payload).toEqual(JSON.parse(body));
    expect(identity.fingerprint).toEqual({
      type: 'charge.succeeded',
      data: { object: { amount: 5 } },
    });
  });

  it('builds the same header as the documented scheme', () => {
    expect(stripeSignatureHeader(secret, t, body)).toBe(`t=${t},v1=${v1(body)}`);
  });

  it('accepts any matching v1 among several, and ignores v0 and unknown schemes', async () => {
    const header = `t=${t},v0=${v1(body)},v1=${'0'.repeat(64)},v1=${v1(body)},v9=zz`;
    const identity = await provider.identify(incoming(body, { 'stripe-signature': header }, now));
    expect(identity.key).toBe('evt_1');
  });

  it('rejects a v0-only header: v0 is not the HMAC-SHA256 scheme', async () => {
    const error = await rejection(() =>
      provider.identify(incoming(body, { 'stripe-signature': `t=${t},v0=${v1(body)}` }, now)),
    );
    expect(error).toBeInstanceOf(WebhookVerificationError);
    expect(error.message).toMatch(/no v1= signature/);
  });

  it('accepts each secret of a rotation', async () => {
    const rotating = stripeWebhooks({ secret: ['whsec_old', secret] });
    for (const key of ['whsec_old', secret]) {
      const header = `t=${t},v1=${v1(body, key)}`;
      expect(
        (await rotating.identify(incoming(body, { 'stripe-signature': header }, now))).key,
      ).toBe('evt_1');
    }
  });

  it.each([
    ['a missing header', undefined, /missing/],
    ['no timestamp', `v1=${v1(body)}`, /t= timestamp/],
    ['a non-numeric timestamp', `t=abc,v1=${v1(body)}`, /t= timestamp/],
    ['a wrong secret', `t=${t},v1=${v1(body, 'whsec_other')}`, /no v1 signature matches/],
    ['a truncated signature', `t=${t},v1=${v1(body).slice(0, 63)}`, /no v1 signature matches/],
    ['a timestamp that was not signed', `t=${t + 1},v1=${v1(body)}`, /no v1 signature matches/],
  ])('rejects %s with WebhookVerificationError', async (_case, header, message) => {
    const headers: Record<string, string> = header ? { 'stripe-signature': header } : {};
    const error = await rejection(() => provider.identify(incoming(body, headers, now)));
    expect(error).toBeInstanceOf(WebhookVerificationError);
    expect((error as WebhookVerificationError).provider).toBe('stripe');
    expect(error.message).toMatch(message);
  });

  it('enforces the tolerance on both sides of the clock, at the configured edge', async () => {
    const strict = stripeWebhooks({ secret, toleranceSeconds: 60 });
    const signed = (ts: number) => ({ 'stripe-signature': `t=${ts},v1=${v1(body, secret, ts)}` });
    expect((await strict.identify(incoming(body, signed(t - 60), now))).key).toBe('evt_1');
    expect((await strict.identify(incoming(body, signed(t + 60), now))).key).toBe('evt_1');
    for (const ts of [t - 61, t + 61]) {
      const error = await rejection(() => strict.identify(incoming(body, signed(ts), now)));
      expect(error.message).toMatch(/more than 60 s from now/);
    }
  });

  it('defaults the tolerance to 300 s', async () => {
    const signed = (ts: number) => ({ 'stripe-signature': `t=${ts},v1=${v1(body, secret, ts)}` });
    expect((await provider.identify(incoming(body, signed(t - 300), now))).key).toBe('evt_1');
    const error = await rejection(() => provider.identify(incoming(body, signed(t - 301), now)));
    expect(error).toBeInstanceOf(WebhookVerificationError);
  });

  it('rejects a verified body without an id as a MissingKeyError', async () => {
    const keyless = JSON.stringify({ type: 'charge.succeeded' });
    const error = await rejection(() =>
      provider.identify(incoming(keyless, { 'stripe-signature': `t=${t},v1=${v1(keyless)}` }, now)),
    );
    expect(error).toBeInstanceOf(MissingKeyError);
    expect((error as MissingKeyError).source).toBe('id');
  });

  it('rejects a verified body that is not JSON as InvalidInputError', async () => {
    const text = 'not json';
    const error = await rejection(() =>
      provider.identify(incoming(text, { 'stripe-signature': `t=${t},v1=${v1(text)}` }, now)),
    );
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.cause).toBeInstanceOf(SyntaxError);
  });

  it.each([
    [{ secret: '' }, 'secret'],
    [{ secret: [] }, 'secret'],
    [{ secret, toleranceSeconds: 0 }, 'toleranceSeconds'],
    [{ secret, toleranceSeconds: Number.NaN }, 'toleranceSeconds'],
  ])('rejects bad options at construction (%o)', (options, option) => {
    const error = (() => {
      try {
        stripeWebhooks(options as never);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(InvalidOptionError);
    expect((error as InvalidOptionError).option).toBe(option);
  });
});
