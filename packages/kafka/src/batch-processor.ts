import type { Deduper } from '@oncely/core';
import { checkObject, positiveInteger } from '@oncely/core/adapter';
import type { BatchEnd, PartitionBatch } from './consumer.js';
import type { InterruptReason } from './errors.js';
import { KAFKA_DEFAULTS, type KafkaDedupOptions, resolveKafkaOptions } from './options.js';
import { RecordingQueue } from './recording.js';
import type { MessageOutcome } from './settle.js';
import { kafkaObserver, type ObservedMessage } from './telemetry.js';
import type { KafkaMessage, KafkaMessageContext } from './types.js';

/** Options of {@link createBatchProcessor}: the dedup options and how far to claim ahead. */
export interface BatchProcessorOptions<M extends KafkaMessage = KafkaMessage, T = unknown>
  extends KafkaDedupOptions<M, T> {
  /**
   * How many messages past the running one may be claimed ahead, in parallel, so
   * the store's round trips overlap the handlers. Handlers still run one at a time
   * in offset order. `0` claims each message only when its turn comes.
   * @default 16
   */
  readonly claimAhead?: number;
}

/** Processes one partition's batch; made by {@link createBatchProcessor}. */
export interface BatchProcessor<M extends KafkaMessage = KafkaMessage> {
  (batch: PartitionBatch<M>): Promise<BatchEnd>;
  /** The deduper it runs on: for operators (`get`, `delete`) and tests. */
  readonly deduper: Deduper<KafkaMessageContext<M>>;
}

/**
 * Makes the client-neutral batch processor every binding's batch mode runs on: it
 * runs `handler` at most once per message key, in partition order, with claims
 * running up to `claimAhead` messages ahead.
 *
 * Handlers run one at a time; in claim mode a message's record may still be completing
 * while the next handler runs (so completions batch too, up to `claimAhead` in flight),
 * and each offset is resolved, in order, once its record has landed. It heartbeats after
 * each message; it stops at once when the batch's `stopReason` says so, and gives back
 * the claims it took ahead but did not run. On a handler or store error it resolves
 * only the messages before the failing one and throws, so no offset is committed past
 * a message without its record.
 *
 * A binding for another client calls it with a {@link PartitionBatch} per fetched batch.
 */
export function createBatchProcessor<M extends KafkaMessage = KafkaMessage, T = unknown>(
  options: BatchProcessorOptions<M, T>,
): BatchProcessor<M> {
  checkObject('options', options);
  const { claimAhead: claimAheadOption, ...rest } = options;
  const resolved = resolveKafkaOptions<M, T>(rest as KafkaDedupOptions<M, T>);
  const claimAhead = positiveInteger('claimAhead', claimAheadOption, KAFKA_DEFAULTS.claimAhead, 0);

  // In claim mode a message's completion may still be landing while the next handler
  // runs (so completions batch too); its offset is resolved only once it has landed.
  // Transactional mode commits the effects with the record, so it keeps them in order.
  const recordingWindow = (rest as { transactional?: boolean }).transactional ? 0 : claimAhead;

  const observer = kafkaObserver(resolved, (rest as KafkaDedupOptions<M, T>).groupId);
  const processBatch = async (batch: PartitionBatch<M>): Promise<BatchEnd> => {
    const { topic, partition, messages } = batch;
    const prepared: ObservedMessage<M>[] = [];
    const prepareUpTo = (last: number) => {
      for (let i = prepared.length; i <= Math.min(last, messages.length - 1); i++) {
        prepared.push(observer.prepare({ topic, partition, message: messages[i] as M }));
      }
    };
    const recording = new RecordingQueue((index) =>
      batch.resolveOffset((messages[index] as M).offset),
    );
    let index = 0;
    let interrupted: InterruptReason | undefined;
    try {
      for (; index < messages.length; index++) {
        interrupted = batch.stopReason();
        if (interrupted !== undefined) break;
        // Refill the window only once half of it is used, so its claims reach the store
        // together, as one batch, instead of one claim per message.
        if (prepared.length - index <= claimAhead / 2) prepareUpTo(index + claimAhead);
        let handled!: () => void;
        const handledSignal = new Promise<void>((resolve) => {
          handled = resolve;
        });
        let outcome: MessageOutcome | undefined;
        let failed = false;
        const settled = observer.settle(prepared[index] as ObservedMessage<M>, batch, handled);
        const settledSignal = settled.then(
          (value) => {
            outcome = value;
          },
          () => {
            failed = true;
          },
        );
        // On to the next message once this handler has returned (or the message ended
        // without running it); its completion may still be landing.
        await Promise.race([handledSignal, settledSignal]);
        if (outcome === 'stale' || outcome === 'stopping') {
          interrupted = outcome;
          break;
        }
        recording.push(index, settled);
        // A message that failed before its handler returned (a handler error, a claim
        // that failed) stops the partition here, as it always did.
        if (await recording.drain(failed ? 0 : recordingWindow)) break;
        await batch.heartbeat();
      }
    } finally {
      // Every started message is awaited, in order, and resolved up to the first failure;
      // the claims taken ahead but never run are given back (a started one's give-back
      // is a no-op).
      await recording.drain(0);
      await Promise.all(prepared.slice(index).map((observed) => observer.discard(observed)));
    }
    recording.throwIfFailed();
    if (interrupted === undefined || index >= messages.length) return undefined;
    return { reason: interrupted, nextOffset: (messages[index] as M).offset };
  };
  const process = (batch: PartitionBatch<M>) => observer.batch(batch, () => processBatch(batch));
  return Object.assign(process, { deduper: resolved.deduper });
}
