/**
 * A deterministic plan of what the producer sends and where workers die: seeded, so
 * every run of the demo sends the same messages and crashes the same payments.
 */

/** One payment event, the body of an SQS message. */
export interface Payment {
  /** The producer's ID for the payment: the same in every copy the producer sends. */
  readonly paymentId: string;
  readonly amountCents: number;
}

/** Where a crashing worker dies: before it charges the card, or after. */
export type CrashPoint = 'before-charge' | 'after-charge';

/** How much trouble the plan makes. */
export interface PlanOptions {
  readonly payments: number;
  /**
   * Share of payments the producer sends twice, as two messages with two message
   * IDs (a `SendMessage` retried after a timeout, an outbox relay that re-sends).
   */
  readonly producerDuplicateRate: number;
  /** Payments whose first delivery dies before charging. */
  readonly crashesBeforeCharge: number;
  /** Payments whose first delivery dies after charging, before its invocation returns. */
  readonly crashesAfterCharge: number;
  readonly seed: number;
}

/**
 * The demo's defaults: 200 payments, a tenth of them sent twice, and four workers
 * that die mid-handler (each costs its event source one function timeout).
 */
export const DEFAULT_PLAN: PlanOptions = {
  payments: 200,
  producerDuplicateRate: 0.1,
  crashesBeforeCharge: 2,
  crashesAfterCharge: 2,
  seed: 7,
};

/** What the producer sends, in order, and which payments' first deliveries die. */
export interface Plan {
  readonly payments: readonly Payment[];
  /** Message bodies in send order: every payment once, the duplicated ones twice. */
  readonly messages: readonly Payment[];
  /** Payment ID -> where its first delivery dies. */
  readonly crashes: ReadonlyMap<string, CrashPoint>;
}

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

/**
 * Builds the plan. A duplicated payment's second copy goes either right behind the
 * first (a retried send: usually the same batch, or the other event source's batch
 * at the same moment) or to the end of the stream (a relay re-sending later, after
 * the first copy was processed). Crashes fall on payments sent once, so each crash
 * is the only trouble its payment sees.
 */
export function planPayments(options: PlanOptions = DEFAULT_PLAN): Plan {
  const next = random(options.seed);
  const payments: Payment[] = [];
  const messages: Payment[] = [];
  const resentLater: Payment[] = [];
  const sentOnce: Payment[] = [];
  for (let i = 1; i <= options.payments; i++) {
    const payment = {
      paymentId: `pay_${String(i).padStart(4, '0')}`,
      amountCents: 500 + Math.floor(next() * 20_000),
    };
    payments.push(payment);
    messages.push(payment);
    if (next() < options.producerDuplicateRate) {
      if (next() < 0.5) messages.push(payment);
      else resentLater.push(payment);
    } else {
      sentOnce.push(payment);
    }
  }
  messages.push(...resentLater);
  const crashes = new Map<string, CrashPoint>();
  const points: CrashPoint[] = [
    ...Array<CrashPoint>(options.crashesBeforeCharge).fill('before-charge'),
    ...Array<CrashPoint>(options.crashesAfterCharge).fill('after-charge'),
  ];
  if (points.length > sentOnce.length) {
    throw new RangeError(`${points.length} crashes need as many payments sent once`);
  }
  for (const point of points) {
    let payment: Payment | undefined;
    while (payment === undefined || crashes.has(payment.paymentId)) {
      payment = sentOnce[Math.floor(next() * sentOnce.length)];
    }
    crashes.set(payment.paymentId, point);
  }
  return { payments, messages, crashes };
}
