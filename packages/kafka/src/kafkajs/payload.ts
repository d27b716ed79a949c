import { checkObject, optionalBoolean } from '@oncely/core/adapter';
import type { BatchEnd, PartitionBatch, RebalanceSignal } from '../consumer.js';
import { BatchInterruptedError } from '../errors.js';
import { KAFKA_DEFAULTS } from '../options.js';
import type { KafkaMessage } from '../types.js';
import type { EachBatchPayload, RebalanceEvents } from './types.js';

/** An `eachBatch` payload as the client-neutral {@link PartitionBatch}. Internal. */
export function partitionBatch<M extends KafkaMessage>(
  payload: EachBatchPayload<M>,
): PartitionBatch<M> {
  const { topic, partition, messages } = payload.batch;
  return {
    topic,
    partition,
    messages,
    resolveOffset: (offset) => payload.resolveOffset(offset),
    heartbeat: () => payload.heartbeat(),
    stopReason: () => {
      if (!payload.isRunning()) return 'stopping';
      if (payload.isStale()) return 'stale';
      return undefined;
    },
  };
}

/**
 * Ends a batch that stopped before its last message. With `eachBatchAutoResolve: true`
 * the client resolves the batch's last offset when the handler returns, which would
 * commit past messages that never ran, so the batch must end with an error instead;
 * with `false`, returning leaves the position at `nextOffset`. Internal.
 */
export function endBatch<M extends KafkaMessage>(
  payload: EachBatchPayload<M>,
  end: BatchEnd,
  autoResolve: boolean,
): void {
  if (end === undefined || !autoResolve) return;
  const { topic, partition } = payload.batch;
  throw new BatchInterruptedError(end.reason, { topic, partition }, end.nextOffset);
}

/** A kafkajs consumer's `GROUP_JOIN` event as the client-neutral {@link RebalanceSignal}. Internal. */
export function groupJoins(consumer: RebalanceEvents): RebalanceSignal {
  return { onRebalance: (listener) => void consumer.on(consumer.events.GROUP_JOIN, listener) };
}

/**
 * Checks a batch handler's options and takes `eachBatchAutoResolve` (the client's default,
 * `true`, when absent) off them: the value and the options the processor gets. Internal.
 */
export function takeAutoResolve<O extends { readonly eachBatchAutoResolve?: boolean }>(
  options: O,
): [boolean, Omit<O, 'eachBatchAutoResolve'>] {
  checkObject('options', options);
  const { eachBatchAutoResolve, ...rest } = options;
  const autoResolve = optionalBoolean(
    'eachBatchAutoResolve',
    eachBatchAutoResolve,
    KAFKA_DEFAULTS.eachBatchAutoResolve,
  );
  return [autoResolve, rest];
}
