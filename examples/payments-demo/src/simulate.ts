import {
  createDeduper,
  InProgressError,
  ManualClock,
  MemoryStore,
  type RunContext,
} from '@oncely/core';
import { PaymentProvider } from './payments.js';
import type { Delivery } from './plan.js';

/** How the consumer protects its handler. */
export type Mode = 'none' | 'oncely' | 'transactional';

/** What one run of the demo saw. */
export interface Tally {
  deliveries: number;
  handlerRuns: number;
  charges: number;
  doubleCharged: number;
  missing: number;
  duplicatesSkipped: number;
  retried: number;
  crashes: number;
  takeoversReported: number;
}

const LEASE_MS = 30_000;

/** Lets other deliveries interleave, as real I/O would. */
const io = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Feeds the planned deliveries to a consumer as an at-least-once queue would:
 * copies of one event run at the same time, a crashed worker's message comes back
 * after the visibility timeout, and a failed one (in progress) comes back too.
 */
export async function simulate(mode: Mode, rounds: Delivery[][]): Promise<Tally> {
  const clock = new ManualClock();
  const provider = new PaymentProvider();
  const tally: Tally = {
    deliveries: 0,
    handlerRuns: 0,
    charges: 0,
    doubleCharged: 0,
    missing: 0,
    duplicatesSkipped: 0,
    retried: 0,
    crashes: 0,
    takeoversReported: 0,
  };
  const deduper = createDeduper({
    store: new MemoryStore(),
    namespace: 'payments',
    lease: LEASE_MS,
    clock,
    transactional: mode === 'transactional',
    onEvent: (event) => {
      if (event.type === 'claimed' && event.takeover) tally.takeoversReported++;
    },
  });

  async function handle(
    delivery: Delivery,
    crash: (() => Promise<never>) | undefined,
    context?: RunContext,
  ): Promise<string | undefined> {
    tally.handlerRuns++;
    await io();
    if (crash && delivery.fate === 'crash-before-charge') return crash();
    let chargeId: string | undefined;
    if (context?.token === undefined && mode === 'transactional') {
      context?.addEffect(() => provider.charge(delivery.paymentId, delivery.amountCents));
    } else {
      chargeId = provider.charge(delivery.paymentId, delivery.amountCents);
    }
    await io();
    if (crash && delivery.fate === 'crash-after-charge') return crash();
    return chargeId;
  }

  async function deliver(delivery: Delivery, crashes: boolean): Promise<'done' | 'retry'> {
    tally.deliveries++;
    let signalCrash!: () => void;
    const crashed = new Promise<'retry'>((resolve) => {
      signalCrash = () => resolve('retry');
    });
    const crash = crashes
      ? (): Promise<never> => {
          tally.crashes++;
          signalCrash();
          // The worker is gone: its handler never returns and its claim stays until the lease ends.
          return new Promise<never>(() => {});
        }
      : undefined;
    const work = async (): Promise<'done' | 'retry'> => {
      if (mode === 'none') {
        await handle(delivery, crash);
        return 'done';
      }
      try {
        const outcome = await deduper.run(delivery.paymentId, (context) =>
          handle(delivery, crash, context),
        );
        if (outcome.status === 'duplicate') tally.duplicatesSkipped++;
        return 'done';
      } catch (error) {
        if (error instanceof InProgressError) return 'retry';
        throw error;
      }
    };
    return Promise.race([work(), crashed]);
  }

  let queue: Delivery[] = rounds[0] ?? [];
  const later = rounds.slice(1);
  for (let round = 0; queue.length > 0 || later.length > 0; round++) {
    const current = queue;
    queue = [];
    const attempts = current.flatMap((delivery) =>
      Array.from({ length: delivery.copies }, (_, copy) => ({
        delivery,
        crashes: round === 0 && copy === 0,
      })),
    );
    const outcomes = await Promise.all(
      attempts.map(({ delivery, crashes }) => deliver(delivery, crashes)),
    );
    outcomes.forEach((outcome, i) => {
      if (outcome === 'retry') {
        tally.retried++;
        queue.push({ ...(attempts[i]?.delivery as Delivery), copies: 1, fate: 'ok' });
      }
    });
    // The visibility timeout passes, and with it any crashed worker's lease.
    clock.advance(LEASE_MS + 1);
    queue.push(...(later.shift() ?? []));
  }
  const ids = new Set(rounds.flat().map((d) => d.paymentId));
  tally.charges = provider.total;
  tally.doubleCharged = provider.doubleCharged;
  tally.missing = provider.missing(ids);
  return tally;
}
