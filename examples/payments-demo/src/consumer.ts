import { setTimeout as sleep } from 'node:timers/promises';
import type { DedupStore, Duration, RunContext } from '@oncely/core';
import { createSqsHandler, type SqsBatchHandler } from '@oncely/sqs';
import type { SQSRecord } from 'aws-lambda';
import type { Ledger } from './ledger.js';
import type { CardProcessor } from './payments.js';
import type { CrashPoint, Payment } from './plan.js';

/** How the consumer protects its handler: not at all, with oncely, or with oncely's transactional mode. */
export type Mode = 'none' | 'oncely' | 'transactional';

/** What the consumer saw while the demo ran. */
export interface ConsumerStats {
  /** Times the payment handler started. */
  handlerRuns: number;
  /** Handlers that died mid-run (their invocation timed out). */
  crashes: number;
  /** Records oncely acknowledged without keeping their effects. */
  duplicatesSkipped: number;
  /** `claimed` events with `takeover: true`: a lease ended and another delivery took the key over. */
  takeovers: number;
  /** The payment IDs of those takeovers. */
  readonly takenOver: Set<string>;
}

/** Options of {@link paymentsConsumer}. */
export interface PaymentsConsumerOptions {
  readonly mode: Mode;
  /** oncely's store (unused without oncely). */
  readonly store: DedupStore;
  /** Where transactional mode commits charges (required in that mode). */
  readonly ledger?: Ledger | undefined;
  /** Where the other modes charge: an effect outside the store. */
  readonly card: CardProcessor;
  /** Payment ID -> where its first delivery dies. */
  readonly crashes: ReadonlyMap<string, CrashPoint>;
  /** The claim's lease: the function timeout, as Lambda caps it by the remaining time anyway. */
  readonly lease: Duration;
}

/** A call to the card processor's API takes a little while, as real I/O does. */
const API_LATENCY_MS = 15;

/**
 * The payments consumer as it would be deployed on Lambda: a handler that charges the
 * card for each record's payment. Without oncely it is a plain partial-batch handler;
 * with oncely it is `createSqsHandler` keyed by the body's `paymentId`, so producer
 * duplicates and redeliveries are one key. In transactional mode the charge is a ledger
 * write committed with oncely's record instead of a call to the card processor.
 *
 * A payment in `crashes` dies on its first delivery: the handler never returns, like
 * a worker that hangs or is gone, so the invocation times out and every message of
 * its batch comes back after the visibility timeout.
 */
export function paymentsConsumer(options: PaymentsConsumerOptions): {
  readonly handler: SqsBatchHandler;
  readonly stats: ConsumerStats;
} {
  const { mode, ledger, card, crashes } = options;
  const stats: ConsumerStats = {
    handlerRuns: 0,
    crashes: 0,
    duplicatesSkipped: 0,
    takeovers: 0,
    takenOver: new Set(),
  };
  const die = (): Promise<never> => {
    stats.crashes++;
    return new Promise<never>(() => {});
  };

  async function chargePayment(record: SQSRecord, context?: RunContext): Promise<string> {
    stats.handlerRuns++;
    const payment = JSON.parse(record.body) as Payment;
    const firstDelivery = record.attributes.ApproximateReceiveCount === '1';
    const crash = firstDelivery ? crashes.get(payment.paymentId) : undefined;
    await sleep(API_LATENCY_MS);
    if (crash === 'before-charge') return die();
    let chargeId = 'committed with the record';
    if (mode !== 'transactional') chargeId = card.charge(payment);
    else if (context && ledger) ledger.addCharge(context, payment);
    else throw new Error('transactional mode runs under oncely, with a ledger');
    await sleep(API_LATENCY_MS);
    if (crash === 'after-charge') return die();
    return chargeId;
  }

  if (mode === 'none') {
    const handler: SqsBatchHandler = async (event) => {
      const settled = await Promise.allSettled(event.Records.map((r) => chargePayment(r)));
      return {
        batchItemFailures: event.Records.filter((_, i) => settled[i]?.status === 'rejected').map(
          (record) => ({ itemIdentifier: record.messageId }),
        ),
      };
    };
    return { handler, stats };
  }

  const handler = createSqsHandler({
    store: options.store,
    key: { field: 'paymentId' },
    lease: options.lease,
    transactional: mode === 'transactional',
    handler: chargePayment,
    onOutcome: (outcome) => {
      if (outcome.status === 'duplicate') stats.duplicatesSkipped++;
    },
    onEvent: (event) => {
      if (event.type !== 'claimed' || !event.takeover) return;
      stats.takeovers++;
      stats.takenOver.add(event.key);
    },
  });
  return { handler, stats };
}
