import { randomUUID } from 'node:crypto';
import {
  type Clock,
  consoleLogger,
  InvalidOptionError,
  type OncelyLogger,
  systemClock,
} from '@oncely/core';
import {
  checkObject,
  describeValue,
  nonEmptyString,
  positiveDuration,
  requireFunction,
} from '@oncely/core/adapter';
import type { BatchEnd, PartitionBatch, RebalanceSignal } from '../consumer.js';
import { type InterruptReason, WatermarkConflictError } from '../errors.js';
import { withHeartbeat } from '../keep-alive.js';
import { KAFKA_DEFAULTS } from '../options.js';
import type { KafkaMessage, KafkaMessageContext } from '../types.js';
import { WatermarkCache, type WatermarkCacheLease } from './cache.js';
import { callWatermarks } from './call.js';
import type { WatermarkStore } from './store.js';

/** Options of {@link createWatermarkProcessor}. */
export interface WatermarkProcessorOptions<M extends KafkaMessage = KafkaMessage, T = unknown> {
  /** Where the per-partition watermarks live. */
  readonly watermarks: WatermarkStore;
  /** The consumer group's id; it names the default namespace. */
  readonly groupId: string;
  /** Runs for each message above the partition's watermark, in offset order. */
  readonly handler: (message: KafkaMessageContext<M>) => Promise<T> | T;
  /**
   * Scopes the watermark keys (`namespace#@watermark/topic/partition`).
   * @default `kafka:${groupId}`
   */
  readonly namespace?: string;
  /**
   * How often, in ms, to heartbeat the group while a handler runs.
   * @default 3000 (the kafkajs default)
   */
  readonly heartbeatInterval?: number;
  /** The time source for `updatedAt`. @default systemClock */
  readonly clock?: Clock;
  /**
   * The group's rebalance signal (each binding makes it from its consumer). With it,
   * after the processor wrote a partition's watermark itself it remembers it until the
   * next group join and skips the store read of that partition's next batch (when the
   * batch starts right after the remembered offset). Without it, every batch reads the
   * watermark.
   * @default none: one read per partition per batch
   */
  readonly rebalances?: RebalanceSignal;
  /** Receives a warning when a watermark conflict shows two members ran the same messages. @default consoleLogger */
  readonly logger?: OncelyLogger;
}

/** The processor made by {@link createWatermarkProcessor}, with what operators need. */
export interface WatermarkProcessor<M extends KafkaMessage = KafkaMessage> {
  (batch: PartitionBatch<M>): Promise<BatchEnd>;
  /** The store key of a partition's watermark. */
  watermarkKey(topic: string, partition: number): string;
  /** This handler instance's owner token, written with each watermark it moves. */
  readonly owner: string;
}

/**
 * Makes the client-neutral batch processor of partition-watermark mode: per partition and batch,
 * one consistent read of the watermark, the handlers of the messages above it in
 * order, then one conditional write moving the watermark to the last processed
 * offset. Given the `rebalances` signal, the read is skipped for a partition's next batches
 * while the watermark this instance wrote cannot have moved (no group join since, the
 * batch starts right after it). Far fewer store writes than a record per message, for
 * a weaker guarantee:
 *
 * - skipped: messages at or below the watermark, i.e. redeliveries of batches whose
 *   write landed before a crash, a failed commit or a rebalance
 * - may run again: messages processed in a batch whose write did not land (the
 *   process died mid-batch), and messages a zombie member (evicted, still running)
 *   processes at the same time as the partition's new owner: the conditional write
 *   detects that afterwards (`WatermarkConflictError`), it cannot prevent it
 * - never caught: producer duplicates, which have new offsets
 *
 * On a handler or heartbeat error it writes the watermark up to the last processed
 * message, resolves only those offsets, and throws.
 *
 * Each binding's watermark handler (kafkajs: `createWatermarkBatchHandler`) runs on it.
 */
export function createWatermarkProcessor<M extends KafkaMessage = KafkaMessage, T = unknown>(
  options: WatermarkProcessorOptions<M, T>,
): WatermarkProcessor<M> {
  const resolved = resolveWatermarkOptions(options);
  const { watermarks, handler, heartbeatIntervalMs, clock, logger, namespace } = resolved;
  const owner = randomUUID();
  const cache =
    resolved.rebalances === undefined ? undefined : new WatermarkCache(resolved.rebalances);
  const watermarkKey = (topic: string, partition: number) =>
    `${namespace}#@watermark/${topic}/${partition}`;

  const readWatermark = async (key: string): Promise<string | undefined> => {
    const stored = await callWatermarks(watermarks.name, 'read', key, () => watermarks.read(key));
    return stored?.offset;
  };

  const process = async (batch: PartitionBatch<M>): Promise<BatchEnd> => {
    const { topic, partition, messages } = batch;
    if (messages.length === 0) return undefined;
    const controls = batch;
    const key = watermarkKey(topic, partition);
    const cached = cache?.lease(key, (messages[0] as M).offset) ?? noCache;
    const done = BigInt(cached.hit ?? (await readWatermark(key)) ?? -1);
    let lastProcessed: string | undefined;
    let failure: { error: unknown } | undefined;
    let interrupted: InterruptReason | undefined;
    let index = 0;
    // Offsets rise within a batch: once one is above the watermark, all after it are too.
    let above = false;
    // One keep-alive timer for the whole batch, and an explicit heartbeat between messages
    // only once an interval has passed (kafkajs sends no more often anyway): a fast
    // client's batch holds thousands of messages, each with a cheap handler.
    let lastBeat = clock.now();
    await withHeartbeat(controls.heartbeat, heartbeatIntervalMs, async () => {
      for (; index < messages.length; index++) {
        interrupted = controls.stopReason();
        if (interrupted !== undefined) break;
        const message = messages[index] as M;
        try {
          above ||= BigInt(message.offset) > done;
          if (above) {
            const key = `${topic}/${partition}/${message.offset}`;
            await handler({ topic, partition, message, key });
            lastProcessed = message.offset;
          }
          batch.resolveOffset(message.offset);
          const now = clock.now();
          if (now - lastBeat >= heartbeatIntervalMs) {
            lastBeat = now;
            await batch.heartbeat();
          }
        } catch (error) {
          failure = { error };
          break;
        }
      }
    });
    // Read once: the loop above set it inside a closure, where TypeScript cannot follow.
    const processedTo = lastProcessed as string | undefined;
    if (processedTo !== undefined) {
      // Forgotten first: a write that throws may or may not have landed.
      cached.forget();
      const outcome = await callWatermarks(watermarks.name, 'advance', key, () =>
        watermarks.advance(key, { offset: processedTo, owner, now: clock.now() }),
      );
      if (outcome.advanced) cached.remember(processedTo);
      else {
        const conflict = new WatermarkConflictError(
          { topic, partition },
          processedTo,
          outcome.current.offset,
          key,
        );
        logger.warn('oncely: watermark conflict; two members processed the same messages', {
          topic,
          partition,
          offset: processedTo,
          current: outcome.current,
          error: conflict,
        });
        throw conflict;
      }
    }
    if (failure !== undefined) throw failure.error;
    if (interrupted === undefined || index >= messages.length) return undefined;
    return { reason: interrupted, nextOffset: (messages[index] as M).offset };
  };
  return Object.assign(process, { watermarkKey, owner });
}

/** The lease of a handler without a cache: never a hit, nothing to remember. */
const noCache: WatermarkCacheLease = { hit: undefined, remember: () => {}, forget: () => {} };

interface ResolvedWatermarkOptions<M extends KafkaMessage, T> {
  readonly watermarks: WatermarkStore;
  readonly handler: (message: KafkaMessageContext<M>) => Promise<T> | T;
  readonly namespace: string;
  readonly heartbeatIntervalMs: number;
  readonly clock: Clock;
  readonly logger: OncelyLogger;
  readonly rebalances: RebalanceSignal | undefined;
}

function resolveWatermarkOptions<M extends KafkaMessage, T>(
  options: WatermarkProcessorOptions<M, T>,
): ResolvedWatermarkOptions<M, T> {
  checkObject('options', options);
  const { watermarks, groupId } = options;
  if (
    !watermarks ||
    typeof watermarks.read !== 'function' ||
    typeof watermarks.advance !== 'function'
  ) {
    throw new InvalidOptionError(
      'watermarks',
      `expected a WatermarkStore (read, advance, delete), got ${describeValue(watermarks)}`,
    );
  }
  nonEmptyString('groupId', groupId);
  requireFunction('handler', options.handler, 'a function (message) => result');
  const namespace = nonEmptyString(
    'namespace',
    options.namespace,
    `${KAFKA_DEFAULTS.namespacePrefix}${groupId}`,
  );
  const { rebalances } = options;
  if (rebalances !== undefined && typeof rebalances?.onRebalance !== 'function') {
    throw new InvalidOptionError(
      'rebalances',
      `expected a RebalanceSignal (onRebalance), got ${describeValue(rebalances)}`,
    );
  }
  return {
    rebalances,
    watermarks,
    handler: options.handler,
    namespace,
    heartbeatIntervalMs: positiveDuration(
      'heartbeatInterval',
      options.heartbeatInterval,
      KAFKA_DEFAULTS.heartbeatInterval,
    ),
    clock: options.clock ?? systemClock,
    logger: options.logger ?? consoleLogger,
  };
}
