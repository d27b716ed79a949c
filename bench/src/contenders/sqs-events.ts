import { createSqsRecord } from '@oncely/sqs/testing';
import type { SQSEvent, SQSRecord } from 'aws-lambda';

/** How a run's SQS batches are made. */
export interface SqsBatchPlan {
  /** A prefix that makes this round's message IDs new. */
  readonly round: string;
  readonly batches: number;
  /** Records per batch (Lambda's default batch size). @default 10 */
  readonly batchSize?: number;
  /** Redeliveries per batch, of messages from earlier batches. @default 2 */
  readonly duplicatesPerBatch?: number;
  /**
   * Redeliveries only copy batches at least this many places back (use the number of
   * invocations in flight), which are nearly always finished by then; the runner
   * waits for them anyway ({@link SqsBatch.after}), so a redelivery is a true
   * duplicate and never an in-progress claim. The first `settledGap` batches are all new.
   */
  readonly settledGap: number;
  /** Seeds the choice of which messages come back. @default 7 */
  readonly seed?: number;
}

/** One invocation's event. */
export interface SqsBatch {
  readonly event: SQSEvent;
  /** The latest batch (index) this one redelivers from: it and every batch before it must be finished first. */
  readonly after: number | undefined;
}

/** The batches, and how many unique and redelivered records they hold. */
export interface SqsBatches {
  readonly batches: readonly SqsBatch[];
  readonly unique: number;
  readonly duplicates: number;
}

/**
 * Builds Lambda SQS events as the poller delivers them, with redeliveries mixed in
 * (same message ID and body, `ApproximateReceiveCount` 2), deterministically, so
 * every contender gets exactly the same events.
 *
 * @example
 * const { batches } = buildSqsBatches({ round: 'r1', batches: 100, settledGap: 4 });
 */
export function buildSqsBatches(plan: SqsBatchPlan): SqsBatches {
  const batchSize = plan.batchSize ?? 10;
  const duplicatesPerBatch = plan.duplicatesPerBatch ?? 2;
  const random = mulberry32(plan.seed ?? 7);
  const firsts: SQSRecord[] = [];
  // firstsUpTo[b]: how many first deliveries batches 0..b hold.
  const firstsUpTo: number[] = [];
  const batches: SqsBatch[] = [];
  let duplicates = 0;
  for (let batch = 0; batch < plan.batches; batch++) {
    const source = batch - plan.settledGap;
    const settled = source >= 0 ? (firstsUpTo[source] as number) : 0;
    const repeats = settled > 0 ? duplicatesPerBatch : 0;
    const records: SQSRecord[] = [];
    for (let slot = 0; slot < batchSize - repeats; slot++) {
      const record = newRecord(plan.round, firsts.length);
      firsts.push(record);
      records.push(record);
    }
    firstsUpTo.push(firsts.length);
    for (let slot = 0; slot < repeats; slot++) {
      const original = firsts[Math.floor(random() * settled)] as SQSRecord;
      records.splice(Math.floor(random() * (records.length + 1)), 0, redelivery(original));
      duplicates++;
    }
    batches.push({ event: { Records: records }, after: repeats > 0 ? source : undefined });
  }
  return { batches, unique: firsts.length, duplicates };
}

function newRecord(round: string, index: number): SQSRecord {
  const body = JSON.stringify({ orderId: `${round}-order-${index}`, amount: (index % 97) + 1 });
  return createSqsRecord(`${round}-0000-4000-8000-${String(index).padStart(12, '0')}`, {
    body,
    receiptHandle: `${round}-receipt-${index}-1`,
    sentTimestamp: 1_767_225_600_000 + index,
  });
}

function redelivery(original: SQSRecord): SQSRecord {
  return {
    ...original,
    receiptHandle: `${original.receiptHandle}-again`,
    attributes: { ...original.attributes, ApproximateReceiveCount: '2' },
  };
}

/** A small seeded PRNG (mulberry32): the same seed gives the same batches. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
