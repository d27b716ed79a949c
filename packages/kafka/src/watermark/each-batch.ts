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
  optionalBoolean,
  positiveDuration,
  requireFunction,
} from '@oncely/core/adapter';
import { batchControls, endInterrupted } from '../batch-controls.js';
import { type InterruptReason, WatermarkConflictError } from '../errors.js';
import { withHeartbeat } from '../keep-alive.js';
import { KAFKA_DEFAULTS } from '../options.js';
import type { EachBatchPayload, KafkaMessage, KafkaMessageContext } from '../types.js';
import { type RebalanceEvents, WatermarkCache, type WatermarkCacheLease } from './cache.js';
import { callWatermarks } from './call.js';
import type { WatermarkStore } from './store.js';

/** Options of {@link createWatermarkBatchHandler}. */
export interface WatermarkBatchOptions<M extends KafkaMessage = KafkaMessage, T = unknown> {
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
  /**
   * Must equal the `eachBatchAutoResolve` passed to `consumer.run` (see `createEachBatchHandler`).
   * @default true
   */
  readonly eachBatchAutoResolve?: boolean;
  /** The time source for `updatedAt`. @default systemClock */
  readonly clock?: Clock;
  /**
   * The consumer running the handler (kafkajs: `consumer`, for `consumer.on` and
   * `consumer.events.GROUP_JOIN`). With it, the handler sees rebalances, so after it
   * wrote a partition's watermark itself it remembers it until the next group join and
   * skips the store read of that partition's next batch (when the batch starts right
   * after the remembered offset). Without it, every batch reads the watermark.
   * @default none: one read per partition per batch
   */
  readonly consumer?: RebalanceEvents;
  /** Receives a warning when a watermark conflict shows two members ran the same messages. @default consoleLogger */
  readonly logger?: OncelyLogger;
}

/** The handler made by {@link createWatermarkBatchHandler}, with what operators need. */
export interface OncelyWatermarkBatch<M extends KafkaMessage = KafkaMessage> {
  (payload: EachBatchPayload<M>): Promise<void>;
  /** The store key of a partition's watermark. */
  watermarkKey(topic: string, partition: number): string;
  /** This handler instance's owner token, written with each watermark it moves. */
  readonly owner: string;
}

/**
 * Makes an `eachBatch` handler in partition-watermark mode: per partition and batch,
 * one consistent read of the watermark, the handlers of the messages above it in
 * order, then one conditional write moving the watermark to the last processed
 * offset. Given the `consumer`, the read is skipped for a partition's next batches
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
 * @example
 * import { DynamoDBWatermarkStore } from '@oncely/dynamodb/watermark';
 *
 * await consumer.run({
 *   eachBatchAutoResolve: false,
 *   eachBatch: createWatermarkBatchHandler({
 *     watermarks: new DynamoDBWatermarkStore({ client, tableName: 'oncely' }),
 *     groupId: 'metrics',
 *     consumer,
 *     eachBatchAutoResolve: false,
 *     handler: async ({ message }) => counters.add(JSON.parse(String(message.value))),
 *   }),
 * });
 */
export function createWatermarkBatchHandler<M extends KafkaMessage = KafkaMessage, T = unknown>(
  options: WatermarkBatchOptions<M, T>,
): OncelyWatermarkBatch<M> {
  const resolved = resolveWatermarkOptions(options);
  const { watermarks, handler, heartbeatIntervalMs, autoResolve, clock, logger, namespace } =
    resolved;
  const owner = randomUUID();
  const cache = resolved.consumer === undefined ? undefined : new WatermarkCache(resolved.consumer);
  const watermarkKey = (topic: string, partition: number) =>
    `${namespace}#@watermark/${topic}/${partition}`;

  const readWatermark = async (key: string): Promise<string | undefined> => {
    const stored = await callWatermarks(watermarks.name, 'read', key, () => watermarks.read(key));
    return stored?.offset;
  };

  const handle = async (payload: EachBatchPayload<M>): Promise<void> => {
    const { topic, partition, messages } = payload.batch;
    if (messages.length === 0) return;
    const controls = batchControls(payload);
    const key = watermarkKey(topic, partition);
    const cached = cache?.lease(key, (messages[0] as M).offset) ?? noCache;
    const done = BigInt(cached.hit ?? (await readWatermark(key)) ?? -1);
    let lastProcessed: string | undefined;
    let failure: { error: unknown } | undefined;
    let interrupted: InterruptReason | undefined;
    let index = 0;
    for (; index < messages.length; index++) {
      interrupted = controls.stopReason();
      if (interrupted !== undefined) break;
      const message = messages[index] as M;
      const context = { topic, partition, message, key: `${topic}/${partition}/${message.offset}` };
      try {
        if (BigInt(message.offset) > done) {
          await withHeartbeat(controls.heartbeat, heartbeatIntervalMs, async () =>
            handler(context),
          );
          lastProcessed = message.offset;
        }
        payload.resolveOffset(message.offset);
        await payload.heartbeat();
      } catch (error) {
        failure = { error };
        break;
      }
    }
    if (lastProcessed !== undefined) {
      // Forgotten first: a write that throws may or may not have landed.
      cached.forget();
      const outcome = await callWatermarks(watermarks.name, 'advance', key, () =>
        watermarks.advance(key, { offset: lastProcessed, owner, now: clock.now() }),
      );
      if (outcome.advanced) cached.remember(lastProcessed);
      else {
        const conflict = new WatermarkConflictError(
          { topic, partition },
          lastProcessed,
          outcome.current.offset,
          key,
        );
        logger.warn('oncely: watermark conflict; two members processed the same messages', {
          topic,
          partition,
          offset: lastProcessed,
          current: outcome.current,
          error: conflict,
        });
        throw conflict;
      }
    }
    if (failure !== undefined) throw failure.error;
    if (interrupted !== undefined && index < messages.length) {
      endInterrupted(payload, interrupted, (messages[index] as M).offset, autoResolve);
    }
  };
  return Object.assign(handle, { watermarkKey, owner });
}

/** The lease of a handler without a cache: never a hit, nothing to remember. */
const noCache: WatermarkCacheLease = { hit: undefined, remember: () => {}, forget: () => {} };

interface ResolvedWatermarkOptions<M extends KafkaMessage, T> {
  readonly watermarks: WatermarkStore;
  readonly handler: (message: KafkaMessageContext<M>) => Promise<T> | T;
  readonly namespace: string;
  readonly heartbeatIntervalMs: number;
  readonly autoResolve: boolean;
  readonly clock: Clock;
  readonly logger: OncelyLogger;
  readonly consumer: RebalanceEvents | undefined;
}

function resolveWatermarkOptions<M extends KafkaMessage, T>(
  options: WatermarkBatchOptions<M, T>,
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
  const autoResolve = optionalBoolean(
    'eachBatchAutoResolve',
    options.eachBatchAutoResolve,
    KAFKA_DEFAULTS.eachBatchAutoResolve,
  );
  const { consumer } = options;
  if (
    consumer !== undefined &&
    (consumer === null ||
      typeof consumer.on !== 'function' ||
      typeof consumer.events?.GROUP_JOIN !== 'string')
  ) {
    throw new InvalidOptionError(
      'consumer',
      `expected the consumer running the handler (with on and events.GROUP_JOIN), got ${describeValue(consumer)}`,
    );
  }
  return {
    consumer,
    watermarks,
    handler: options.handler,
    namespace,
    heartbeatIntervalMs: positiveDuration(
      'heartbeatInterval',
      options.heartbeatInterval,
      KAFKA_DEFAULTS.heartbeatInterval,
    ),
    autoResolve,
    clock: options.clock ?? systemClock,
    logger: options.logger ?? consoleLogger,
  };
}
