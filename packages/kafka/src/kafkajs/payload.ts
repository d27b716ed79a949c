import type { BatchEnd, PartitionBatch, RebalanceSignal } from '../consumer.js';
import { BatchInterruptedError } from '../errors.js';
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
