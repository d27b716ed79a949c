import type { DedupStore, OncelyEvent } from '@oncely/core';
import { createWebhookHandler, standardWebhooks, stripeWebhooks } from '@oncely/webhook';
import { honoWebhook } from '@oncely/webhook/hono';
import { Hono } from 'hono';
import type { Fulfilment } from './fulfilment.js';

/** What the receiver needs: a shared store, the two signing secrets, and the business side. */
export interface ReceiverConfig {
  readonly store: DedupStore;
  /** The Stripe endpoint secret (`whsec_...`). */
  readonly stripeSecret: string;
  /** The Standard Webhooks secret (`whsec_` + base64). */
  readonly standardSecret: string;
  readonly fulfilment: Fulfilment;
  /** Sees every oncely event (claimed, duplicate, in_progress, released, ...). */
  readonly onEvent?: (event: OncelyEvent) => void;
}

interface StripeEvent {
  readonly id: string;
  readonly type: string;
  readonly data: { readonly object: { readonly id: string } };
}

interface StandardEvent {
  readonly type: string;
  readonly data: { readonly id: string };
}

/**
 * Two receivers on one Hono app: `POST /webhooks/stripe` (Stripe signatures, keyed by
 * the event `id`) and `POST /webhooks/standard` (Standard Webhooks, keyed by
 * `webhook-id`). Each has its own namespace in the one table, so their IDs never meet.
 */
export function createReceiverApp(config: ReceiverConfig): Hono {
  const { store, fulfilment, onEvent } = config;
  const stripe = createWebhookHandler({
    provider: stripeWebhooks({ secret: config.stripeSecret }),
    store,
    namespace: 'stripe',
    ...(onEvent ? { onEvent } : {}),
    handler: async ({ payload }) => {
      const event = payload as StripeEvent;
      if (event.type !== 'checkout.session.completed') {
        return Response.json({ received: true, ignored: event.type });
      }
      const shipment = await fulfilment.ship(event.data.object.id);
      return Response.json({ received: true, shipment });
    },
  });
  const standard = createWebhookHandler({
    provider: standardWebhooks({ secret: config.standardSecret }),
    store,
    namespace: 'standard-webhooks',
    ...(onEvent ? { onEvent } : {}),
    handler: async (delivery) => {
      const event = delivery.json<StandardEvent>();
      if (event.type === 'invoice.paid') await fulfilment.markInvoicePaid(event.data.id);
      // Nothing to say back: 204, stored and replayed like any answer.
    },
  });
  const app = new Hono();
  app.post('/webhooks/stripe', honoWebhook(stripe));
  app.post('/webhooks/standard', honoWebhook(standard));
  app.get('/healthz', (c) => c.text('ok'));
  return app;
}
