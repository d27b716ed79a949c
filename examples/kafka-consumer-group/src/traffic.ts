import { type Kafka, Partitioners } from 'kafkajs';
import type { Payment } from './balances.js';

/** The demo's traffic and what the balances must be after it, whatever happens on the way. */
export interface Traffic {
  readonly payments: readonly Payment[];
  /** Per account, the sum of its distinct payments. */
  readonly expected: Record<string, number>;
  /** How many messages were produced: payments, their retries, and one poison message. */
  readonly produced: number;
}

/**
 * Produces `count` payments over three accounts, as a flaky producer would: every
 * fifth payment is sent twice (a retry after a lost acknowledgement writes it again
 * at a new offset), and one message is not JSON at all.
 */
export async function produceTraffic(kafka: Kafka, topic: string, count = 30): Promise<Traffic> {
  const accounts = ['alice', 'bob', 'carol'];
  const payments: Payment[] = Array.from({ length: count }, (_, i) => ({
    paymentId: `pay-${String(i).padStart(4, '0')}`,
    account: accounts[i % accounts.length] as string,
    amountCents: 100 + i,
  }));
  const retries = payments.filter((_, i) => i % 5 === 0);
  const messages = [...payments, ...retries].map((payment) => ({
    // Kafka key = account: one account's payments stay in order on one partition.
    key: payment.account,
    value: JSON.stringify(payment),
  }));
  messages.splice(count / 2, 0, { key: 'alice', value: '{"paymentId": oops' });
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  try {
    await producer.send({ topic, messages });
  } finally {
    await producer.disconnect();
  }
  const expected: Record<string, number> = {};
  for (const payment of payments) {
    expected[payment.account] = (expected[payment.account] ?? 0) + payment.amountCents;
  }
  return { payments, expected, produced: messages.length };
}
