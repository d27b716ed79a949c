import { InvalidOptionError } from '@oncely/core';
import { checkObject, describeValue } from '@oncely/core/adapter';
import { MissingKeyError, WebhookVerificationError } from '../errors.js';
import { constantTimeEqual, hmacSha256Hex, secretList } from './crypto.js';
import { parseJsonBody } from './json-body.js';
import type { WebhookProvider } from './provider.js';

/** Options of {@link stripeWebhooks}. */
export interface StripeWebhooksOptions {
  /**
   * The endpoint's signing secret (`whsec_...`). Pass several during a rotation: a
   * signature made with any of them is accepted.
   */
  readonly secret: string | readonly string[];
  /**
   * The largest distance, in seconds, between the signature's `t=` timestamp and
   * the handler's clock. Older (or far future) requests are rejected with 401, so a
   * captured request cannot be replayed later.
   * @default 300
   */
  readonly toleranceSeconds?: number;
}

/** Defaults of {@link StripeWebhooksOptions}. */
export const STRIPE_WEBHOOKS_DEFAULTS = { toleranceSeconds: 300 } as const;

const PROVIDER = 'stripe';

/**
 * Stripe webhooks: verifies `Stripe-Signature` (`t=<seconds>,v1=<hex>`, an
 * HMAC-SHA256 of `` `${t}.${rawBody}` `` with the signing secret, compared in constant
 * time) and keys each delivery by the event's `id`. The fingerprint is the event's
 * `type` and `data`: Stripe's retries of one event may differ in fields such as
 * `pending_webhooks`, so the whole body would be the wrong thing to compare.
 *
 * @example
 * const handler = createWebhookHandler({
 *   provider: stripeWebhooks({ secret: process.env.STRIPE_WEBHOOK_SECRET! }),
 *   store, namespace: 'stripe',
 *   handler: async ({ payload }) => { await fulfil(payload); },
 * });
 */
export function stripeWebhooks(options: StripeWebhooksOptions): WebhookProvider {
  checkObject('options', options);
  const secrets = secretList('secret', options.secret);
  const tolerance = options.toleranceSeconds ?? STRIPE_WEBHOOKS_DEFAULTS.toleranceSeconds;
  if (!(typeof tolerance === 'number' && Number.isFinite(tolerance) && tolerance > 0)) {
    throw new InvalidOptionError(
      'toleranceSeconds',
      `expected a positive number of seconds, got ${describeValue(options.toleranceSeconds)}`,
    );
  }
  return {
    name: PROVIDER,
    identify({ request, body, now }) {
      const header = request.headers.get('stripe-signature');
      if (!header) throw rejected('the Stripe-Signature header is missing');
      const { timestamp, signatures } = parseSignatureHeader(header);
      if (timestamp === undefined) throw rejected('Stripe-Signature has no valid t= timestamp');
      if (signatures.length === 0) throw rejected('Stripe-Signature has no v1= signature');
      if (Math.abs(now / 1000 - Number(timestamp)) > tolerance) {
        throw rejected(`the signature timestamp is more than ${tolerance} s from now`);
      }
      const valid = secrets.some((secret) => {
        const expected = hmacSha256Hex(secret, `${timestamp}.`, body);
        return signatures.some((signature) => constantTimeEqual(signature, expected));
      });
      if (!valid) throw rejected('no v1 signature matches the payload');
      return eventIdentity(parseJsonBody(body, PROVIDER));
    },
  };
}

/**
 * Builds a `Stripe-Signature` header for `body`, as Stripe signs it: for tests and
 * local tools that post events to a receiver.
 *
 * @example
 * const header = stripeSignatureHeader('whsec_test', Math.floor(Date.now() / 1000), body);
 */
export function stripeSignatureHeader(
  secret: string,
  timestampSeconds: number,
  body: string | Uint8Array,
): string {
  return `t=${timestampSeconds},v1=${hmacSha256Hex(secret, `${timestampSeconds}.`, body)}`;
}

function parseSignatureHeader(header: string): {
  timestamp: string | undefined;
  signatures: string[];
} {
  let timestamp: string | undefined;
  const signatures: string[] = [];
  for (const element of header.split(',')) {
    const at = element.indexOf('=');
    if (at < 0) continue;
    const name = element.slice(0, at).trim();
    const value = element.slice(at + 1).trim();
    if (name === 't' && /^\d{1,12}$/.test(value)) timestamp = value;
    // Only v1 is HMAC-SHA256; v0 and unknown schemes are ignored, as Stripe advises.
    else if (name === 'v1' && value.length > 0) signatures.push(value);
  }
  return { timestamp, signatures };
}

function eventIdentity(event: unknown) {
  const fields = (event ?? {}) as { id?: unknown; type?: unknown; data?: unknown };
  if (typeof fields.id !== 'string' || fields.id.length === 0) {
    throw new MissingKeyError('The Stripe event has no string `id`', 'id', { provider: PROVIDER });
  }
  return {
    key: fields.id,
    fingerprint: { type: fields.type ?? null, data: fields.data ?? null },
    payload: event,
  };
}

function rejected(reason: string): WebhookVerificationError {
  return new WebhookVerificationError(`Stripe signature rejected: ${reason}`, PROVIDER);
}
