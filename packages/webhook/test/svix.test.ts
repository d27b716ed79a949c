import { randomUUID } from 'node:crypto';
import { MemoryStore } from '@oncely/core';
import {
  describeWebhookScenarios,
  type ProviderKit,
  type ServedReceiver,
  type SignedDelivery,
  serveHono,
} from '@oncely/webhook/testing';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { Webhook as SvixWebhook } from 'svix';
import { afterEach, describe, expect, it } from 'vitest';
import { createWebhookHandler, standardWebhooks } from '../src/index.js';

// Deliveries signed by the two libraries senders actually use, under both header
// families, posted to a real server: the receiver must accept exactly what Svix's own
// `verify` accepts, and key each delivery by the message ID that was signed.

const secret = `whsec_${Buffer.from('svix-interop-signing-key').toString('base64')}`;
const forger = `whsec_${Buffer.from('svix-interop-forger-key').toString('base64')}`;

type Sign = (key: string, id: string, at: Date, body: string) => string;
const signers: Record<string, Sign> = {
  svix: (key, id, at, body) => new SvixWebhook(key).sign(id, at, body),
  standardwebhooks: (key, id, at, body) => new StandardWebhook(key).sign(id, at, body),
};
/** `svix-*` is what Svix-branded senders send; `webhook-*` is the unbranded spec. */
const families = ['svix', 'webhook'] as const;
type Family = (typeof families)[number];

/** The three signed headers of one family, as a sender would post them. */
function signedHeaders(family: Family, id: string, at: Date, signature: string) {
  return {
    [`${family}-id`]: id,
    [`${family}-timestamp`]: String(Math.floor(at.getTime() / 1000)),
    [`${family}-signature`]: signature,
  };
}

interface Delivery extends SignedDelivery {
  readonly headers: Record<string, string>;
}

function deliver(
  sign: Sign,
  family: Family,
  id: string,
  options: { at?: Date; key?: string; body?: string } = {},
): Delivery {
  const at = options.at ?? new Date();
  const body = options.body ?? JSON.stringify({ type: 'invoice.paid', data: { id: 'inv_1' } });
  const signature = sign(options.key ?? secret, id, at, body);
  return {
    body,
    headers: { 'content-type': 'application/json', ...signedHeaders(family, id, at, signature) },
  };
}

/** What Svix's verifier says about a delivery: the oracle the receiver must agree with. */
function svixAccepts(delivery: Delivery): boolean {
  try {
    new SvixWebhook(secret).verify(delivery.body, delivery.headers);
    return true;
  } catch {
    return false;
  }
}

let served: ServedReceiver | undefined;
afterEach(async () => {
  await served?.close();
  served = undefined;
});

/** A Standard Webhooks receiver on Hono with its own MemoryStore, counting handler runs. */
async function receiver() {
  const store = new MemoryStore();
  const namespace = `svix-${randomUUID()}`;
  let runs = 0;
  const handler = createWebhookHandler({
    provider: standardWebhooks({ secret }),
    store,
    namespace,
    handler: ({ key }) => {
      runs += 1;
      return Response.json({ key, run: runs });
    },
  });
  served = await serveHono(handler);
  const url = served.url;
  return {
    store,
    runs: () => runs,
    post: (delivery: Delivery) =>
      fetch(url, { method: 'POST', headers: delivery.headers, body: delivery.body }),
    record: (id: string) => store.get(`${namespace}#${id}`, { now: Date.now() }),
  };
}

describe.each(Object.entries(signers))('signed by %s', (_signer, sign) => {
  describe.each(families)('with %s-* headers', (family) => {
    it('processes a delivery once and replays the retry, which has a new timestamp and signature', async () => {
      const { post, runs, record } = await receiver();
      const id = `msg_${randomUUID()}`;
      // Svix re-signs each attempt: same ID and body, a later timestamp.
      const first = deliver(sign, family, id, { at: new Date(Date.now() - 60_000) });
      const retry = deliver(sign, family, id);
      expect(retry.headers[`${family}-signature`]).not.toBe(first.headers[`${family}-signature`]);
      expect([svixAccepts(first), svixAccepts(retry)]).toEqual([true, true]);

      const accepted = await post(first);
      expect(accepted.status).toBe(200);
      expect(accepted.headers.get('idempotent-replayed')).toBeNull();
      expect(await accepted.json()).toEqual({ key: id, run: 1 });

      const replayed = await post(retry);
      expect(replayed.status).toBe(200);
      expect(replayed.headers.get('idempotent-replayed')).toBe('true');
      expect(await replayed.json()).toEqual({ key: id, run: 1 });
      expect(runs()).toBe(1);
      expect((await record(id))?.status).toBe('COMPLETED');
    });

    it('rejects a forged delivery with 401 and leaves no record, so the genuine one still runs', async () => {
      const { post, runs, store, record } = await receiver();
      const id = `msg_${randomUUID()}`;
      const forged = deliver(sign, family, id, { key: forger });
      expect(svixAccepts(forged)).toBe(false);

      const rejected = await post(forged);
      expect(rejected.status).toBe(401);
      expect(rejected.headers.get('content-type')).toBe('application/problem+json');
      expect(store.size).toBe(0);
      expect(await record(id)).toBeUndefined();
      expect(runs()).toBe(0);

      const genuine = await post(deliver(sign, family, id));
      expect(genuine.status).toBe(200);
      expect(genuine.headers.get('idempotent-replayed')).toBeNull();
      expect(runs()).toBe(1);
    });
  });
});

describe('both header families on one request', () => {
  const sign = signers.svix as Sign;

  it('keys by the signed svix-id, not by an unsigned webhook-id beside it', async () => {
    const { post, record } = await receiver();
    const id = `msg_${randomUUID()}`;
    const other = `msg_${randomUUID()}`;
    const delivery = deliver(sign, 'svix', id);
    delivery.headers['webhook-id'] = other;
    expect(svixAccepts(delivery)).toBe(true);

    expect((await post(delivery)).status).toBe(200);
    expect((await record(id))?.status).toBe('COMPLETED');
    expect(await record(other)).toBeUndefined();
  });

  it('reads svix-* first, as Svix does: a forged svix-signature fails beside a genuine webhook-*', async () => {
    const { post, store } = await receiver();
    const id = `msg_${randomUUID()}`;
    const genuine = deliver(sign, 'webhook', id);
    const forged = deliver(sign, 'svix', id, { key: forger });
    const delivery = { body: genuine.body, headers: { ...genuine.headers, ...forged.headers } };
    expect(svixAccepts(delivery)).toBe(false);

    expect((await post(delivery)).status).toBe(401);
    expect(store.size).toBe(0);
  });

  it('accepts a sender that posts both families with the same values', async () => {
    const { post, runs } = await receiver();
    const id = `msg_${randomUUID()}`;
    const at = new Date();
    const svix = deliver(sign, 'svix', id, { at });
    const signature = svix.headers['svix-signature'] as string;
    const delivery = {
      body: svix.body,
      headers: { ...svix.headers, ...signedHeaders('webhook', id, at, signature) },
    };
    expect((await post(delivery)).status).toBe(200);
    expect(runs()).toBe(1);
  });
});

/** Svix-branded deliveries signed by the `svix` package, for the full scenario suite. */
const svixKit: ProviderKit = (() => {
  const signed = (id: string, data: Record<string, unknown>, key: string, withId = true) => {
    const delivery = deliver(signers.svix as Sign, 'svix', id, {
      key,
      body: JSON.stringify({ type: 'payment.succeeded', data }),
    });
    if (!withId) delete delivery.headers['svix-id'];
    return delivery;
  };
  return {
    name: 'svix',
    provider: () => standardWebhooks({ secret }),
    sign: (id, data) => signed(id, data, secret),
    forge: (id, data) => signed(id, data, forger),
    keyless: (data) => signed('', data, secret, false),
    keylessStatus: 401,
  };
})();

describeWebhookScenarios('hono + MemoryStore', {
  serve: serveHono,
  kit: svixKit,
  store: () => new MemoryStore(),
});
