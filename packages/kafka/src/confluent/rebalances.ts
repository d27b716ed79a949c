import type { RebalanceSignal } from '../consumer.js';

/**
 * A `rebalance_cb` as the Confluent client calls it: `(error, assignment, assignmentFns)`,
 * where `error.code` is `ERR__ASSIGN_PARTITIONS` or `ERR__REVOKE_PARTITIONS`. A callback
 * that returns an assignment replaces the one given; one that returns nothing leaves it.
 */
export type RebalanceCallback<A extends unknown[] = unknown[], R = unknown> = (...args: A) => R;

/**
 * A {@link RebalanceSignal} fed by the Confluent consumer's `rebalance_cb`: put
 * `rebalance_cb` in the consumer's config and pass the signal as `rebalances`.
 */
export interface ConfluentRebalanceSignal<A extends unknown[] = unknown[], R = undefined>
  extends RebalanceSignal {
  /** For `kafka.consumer({ kafkaJS: { ... }, rebalance_cb })`; calls the listeners, then `next`. */
  readonly rebalance_cb: RebalanceCallback<A, R | undefined>;
}

/** How many times each signal's `rebalance_cb` was called, so a handler can tell it is wired. */
const calls = new WeakMap<RebalanceSignal, () => number>();

/**
 * Makes the rebalance signal of a Confluent KafkaJS-API consumer. That consumer has no
 * group events (`consumer.on` and `consumer.events` throw "not implemented"); it reports
 * each assignment and revocation to the `rebalance_cb` of its config (the top-level
 * librdkafka config, next to `kafkaJS`). Every call, assignment or revocation, signals a
 * rebalance: partitions may have moved. `next`, your own callback if you have one, runs
 * after the listeners and its result is returned (an assignment it returns is used).
 *
 * @example
 * const rebalances = createRebalanceSignal();
 * const consumer = kafka.consumer({ kafkaJS: { groupId: 'metrics' }, rebalance_cb: rebalances.rebalance_cb });
 * // createWatermarkBatchHandler({ ..., rebalances })
 */
export function createRebalanceSignal<A extends unknown[] = unknown[], R = undefined>(
  next?: RebalanceCallback<A, R>,
): ConfluentRebalanceSignal<A, R> {
  const listeners: (() => void)[] = [];
  let count = 0;
  const signal: ConfluentRebalanceSignal<A, R> = {
    onRebalance: (listener) => void listeners.push(listener),
    rebalance_cb: (...args: A) => {
      count++;
      for (const listener of listeners) listener();
      return next?.(...args);
    },
  };
  calls.set(signal, () => count);
  return signal;
}

/**
 * The number of `rebalance_cb` calls of a signal made by {@link createRebalanceSignal};
 * `undefined` for any other signal. Internal.
 */
export function rebalanceCalls(signal: RebalanceSignal): number | undefined {
  return calls.get(signal)?.();
}
