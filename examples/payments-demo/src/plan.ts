/**
 * A deterministic delivery plan: what an at-least-once queue does to a stream of
 * payment events. Seeded, so every run of the demo prints the same table.
 */

/** What happens to one delivery of an event. */
export type Fate = 'ok' | 'crash-before-charge' | 'crash-after-charge';

/** One delivery of one event. `copies` > 1 means that many workers get it at once. */
export interface Delivery {
  readonly paymentId: string;
  readonly amountCents: number;
  readonly copies: number;
  readonly fate: Fate;
}

/** How often each kind of trouble happens. */
export interface PlanOptions {
  readonly payments: number;
  /** Share of events redelivered later (a lost ack, a visibility timeout). */
  readonly redeliveryRate: number;
  /** Share of events handed to two workers at the same time. */
  readonly concurrentRate: number;
  /** Share of first deliveries whose worker crashes mid-handler. */
  readonly crashRate: number;
  readonly seed: number;
}

/** The demo's defaults: 200 payments and plenty of trouble. */
export const DEFAULT_PLAN: PlanOptions = {
  payments: 200,
  redeliveryRate: 0.2,
  concurrentRate: 0.1,
  crashRate: 0.06,
  seed: 7,
};

/** Mulberry32: a tiny seeded PRNG, enough for a reproducible demo. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** The first delivery of every event, then the planned redeliveries, in queue order. */
export function planDeliveries(options: PlanOptions = DEFAULT_PLAN): Delivery[][] {
  const next = random(options.seed);
  const first: Delivery[] = [];
  const later: Delivery[] = [];
  for (let i = 1; i <= options.payments; i++) {
    const paymentId = `pay_${String(i).padStart(4, '0')}`;
    const amountCents = 500 + Math.floor(next() * 20_000);
    const roll = next();
    const fate: Fate =
      roll < options.crashRate / 2
        ? 'crash-before-charge'
        : roll < options.crashRate
          ? 'crash-after-charge'
          : 'ok';
    const copies = next() < options.concurrentRate ? 2 : 1;
    first.push({ paymentId, amountCents, copies, fate });
    if (next() < options.redeliveryRate)
      later.push({ paymentId, amountCents, copies: 1, fate: 'ok' });
  }
  return [first, later];
}
