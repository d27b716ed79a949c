import { Webhook } from 'standardwebhooks';
import { githubSignatureHeader, githubWebhooks } from '../providers/github.js';
import type { WebhookProvider } from '../providers/provider.js';
import { standardWebhooks } from '../providers/standard-webhooks.js';
import { stripeSignatureHeader, stripeWebhooks } from '../providers/stripe.js';

/** A request as a sender would post it. */
export interface SignedDelivery {
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * How to make genuine, forged and keyless deliveries for one provider, so the
 * scenario suite runs against any of them.
 */
export interface ProviderKit {
  readonly name: string;
  /** A fresh provider that accepts what `sign` makes. */
  provider(): WebhookProvider;
  /** A genuine delivery of event `id` whose payload carries `data`. */
  sign(id: string, data: Record<string, unknown>): SignedDelivery;
  /** The same delivery, signed with a secret the provider does not know. */
  forge(id: string, data: Record<string, unknown>): SignedDelivery;
  /** A genuinely signed delivery with no event ID. */
  keyless(data: Record<string, unknown>): SignedDelivery;
  /** What a keyless delivery gets: 400, or 401 where the ID is part of what is signed. */
  readonly keylessStatus: 400 | 401;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

/** Stripe: `Stripe-Signature` over `t.body`, key = the event's `id`. */
export const stripeKit: ProviderKit = (() => {
  const secret = 'whsec_oncely_scenarios';
  const event = (id: string | undefined, data: Record<string, unknown>) =>
    JSON.stringify({
      id,
      object: 'event',
      type: 'payment_intent.succeeded',
      data: { object: data },
    });
  const signed = (body: string, key: string) => ({
    body,
    headers: {
      'content-type': 'application/json',
      'stripe-signature': stripeSignatureHeader(key, nowSeconds(), body),
    },
  });
  return {
    name: 'stripe',
    provider: () => stripeWebhooks({ secret }),
    sign: (id, data) => signed(event(id, data), secret),
    forge: (id, data) => signed(event(id, data), 'whsec_forger'),
    keyless: (data) => signed(event(undefined, data), secret),
    keylessStatus: 400,
  };
})();

/** Standard Webhooks: `webhook-signature` over `id.timestamp.body`, key = `webhook-id`. */
export const standardWebhooksKit: ProviderKit = (() => {
  const secret = `whsec_${Buffer.from('oncely-scenarios-signing-key').toString('base64')}`;
  const forger = `whsec_${Buffer.from('forger-signing-key').toString('base64')}`;
  const signed = (id: string, data: Record<string, unknown>, key: string, withId = true) => {
    const body = JSON.stringify({ type: 'payment.succeeded', data });
    const timestamp = new Date(nowSeconds() * 1000);
    return {
      body,
      headers: {
        'content-type': 'application/json',
        ...(withId ? { 'webhook-id': id } : {}),
        'webhook-timestamp': String(nowSeconds()),
        'webhook-signature': new Webhook(key).sign(id, timestamp, body),
      },
    };
  };
  return {
    name: 'standard-webhooks',
    provider: () => standardWebhooks({ secret }),
    sign: (id, data) => signed(id, data, secret),
    forge: (id, data) => signed(id, data, forger),
    keyless: (data) => signed('', data, secret, false),
    keylessStatus: 401,
  };
})();

/** GitHub: `X-Hub-Signature-256` over the body, key = hook ID and `X-GitHub-Delivery`. */
export const githubKit: ProviderKit = (() => {
  const secret = 'oncely-scenarios';
  const signed = (id: string | undefined, data: Record<string, unknown>, key: string) => {
    const body = JSON.stringify({ action: 'created', data });
    return {
      body,
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'issues',
        'x-github-hook-id': '4242',
        ...(id === undefined ? {} : { 'x-github-delivery': id }),
        'x-hub-signature-256': githubSignatureHeader(key, body),
      },
    };
  };
  return {
    name: 'github',
    provider: () => githubWebhooks({ secret }),
    sign: (id, data) => signed(id, data, secret),
    forge: (id, data) => signed(id, data, 'forger'),
    keyless: (data) => signed(undefined, data, secret),
    keylessStatus: 400,
  };
})();
