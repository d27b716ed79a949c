import { BatchInterruptedError, type InterruptReason } from './errors.js';
import type { PartitionControls } from './settle.js';
import type { EachBatchPayload, KafkaMessage } from './types.js';

/** Heartbeat and stop checks over an `eachBatch` payload. Internal. */
export function batchControls<M extends KafkaMessage>(
  payload: EachBatchPayload<M>,
): PartitionControls {
  return {
    heartbeat: () => payload.heartbeat(),
    stopReason: () => {
      if (!payload.isRunning()) return 'stopping';
      if (payload.isStale()) return 'stale';
      return undefined;
    },
  };
}

/**
 * Ends a batch that stopped before `nextOffset`. With `eachBatchAutoResolve: true`
 * the client resolves the batch's last offset when the handler returns, which would
 * commit past messages that never ran, so the batch must end with an error instead;
 * with `false`, returning leaves the position at `nextOffset`. Internal.
 */
export function endInterrupted<M extends KafkaMessage>(
  payload: EachBatchPayload<M>,
  reason: InterruptReason,
  nextOffset: string,
  autoResolve: boolean,
): void {
  if (!autoResolve) return;
  const { topic, partition } = payload.batch;
  throw new BatchInterruptedError(reason, { topic, partition }, nextOffset);
}
