import { randomUUID } from 'node:crypto';
import { stripeSignatureHeader } from '@oncely/webhook';
import { Webhook } from 'standardwebhooks';

/** One request the demo sender made, and what came back. */
export interface DemoStep {
  readonly step: string;
  readonly status: number;
  /** The `Idempotent-Replayed` header: a duplicate answered from the store. */
  readonly replayed: boolean;
  readonly body: string;
}

/** The secrets the sender signs with: the receiver's. */
export interface DemoSecrets {
  readonly stripe: string;
  readonly standard: string;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

/**
 * Plays a provider's worst day against a running receiver: retries, concurrent
 * copies, a forged request, and an ID reused with another payload. Event IDs are
 * fresh per run, so the demo can run again against the same table.
 */
export async function runDemo(baseUrl: string, secrets: DemoSecrets): Promise<DemoStep[]> {
  const run = randomUUID().slice(0, 8);
  const steps: DemoStep[] = [];
  const record = async (step: string, response: Promise<Response>) => {
    const answer = await response;
    steps.push({
      step,
      status: answer.status,
      replayed: answer.headers.get('idempotent-replayed') === 'true',
      body: await answer.text(),
    });
  };

  const stripe = (id: string, orderId: string, secret = secrets.stripe) => {
    const body = JSON.stringify({
      id,
      object: 'event',
      type: 'checkout.session.completed',
      data: { object: { id: orderId, object: 'checkout.session' } },
    });
    // Each retry is signed afresh, as Stripe does: same body, new timestamp.
    return fetch(`${baseUrl}/webhooks/stripe`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'stripe-signature': stripeSignatureHeader(secret, nowSeconds(), body),
      },
      body,
    });
  };
  await record('stripe: evt_A delivered', stripe(`evt_A_${run}`, `cs_A_${run}`));
  await record('stripe: evt_A retried', stripe(`evt_A_${run}`, `cs_A_${run}`));
  await Promise.all(
    [1, 2, 3].map((copy) =>
      record(`stripe: evt_B copy ${copy} (concurrent)`, stripe(`evt_B_${run}`, `cs_B_${run}`)),
    ),
  );
  await record(
    'stripe: evt_C forged signature',
    stripe(`evt_C_${run}`, `cs_C_${run}`, 'whsec_forger'),
  );
  await record('stripe: evt_C genuine', stripe(`evt_C_${run}`, `cs_C_${run}`));

  const standard = (id: string, invoiceId: string) => {
    const body = JSON.stringify({ type: 'invoice.paid', data: { id: invoiceId } });
    const at = new Date();
    return fetch(`${baseUrl}/webhooks/standard`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'webhook-id': id,
        'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
        'webhook-signature': new Webhook(secrets.standard).sign(id, at, body),
      },
      body,
    });
  };
  await record('standard: msg_1 delivered', standard(`msg_1_${run}`, `inv_1_${run}`));
  await record('standard: msg_1 retried', standard(`msg_1_${run}`, `inv_1_${run}`));
  await record('standard: msg_1 other payload', standard(`msg_1_${run}`, `inv_9_${run}`));
  return steps;
}
