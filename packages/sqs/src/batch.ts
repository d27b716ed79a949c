import { mapWithConcurrency } from './concurrency.js';
import type { QueueMessage } from './message.js';
import type { AheadRun } from './run-message.js';

/** How one batch is run. Internal. */
export interface BatchPlan<TMessage, TOutcome> {
  /** FIFO: in order per `MessageGroupId`, stopping a group at its first failure. */
  readonly fifo: boolean;
  /** At most this many messages (standard) or groups (FIFO) in flight. */
  readonly concurrency: number;
  /**
   * Standard queues: messages with the same lane run one after another, so a later copy
   * of a key sees the earlier one finished instead of its live claim. `undefined` (or no
   * function) runs the message on its own. FIFO lanes are the groups; there it tells which
   * messages repeat a key, and so are not claimed ahead.
   */
  readonly laneOf?: (message: QueueMessage<TMessage>) => string | undefined;
  /** Runs one message; never rejects. */
  run(message: QueueMessage<TMessage>): Promise<TOutcome>;
  /**
   * FIFO: claims a message ahead of its turn, so a group's claims reach the store
   * together (one batch) and the group then runs in order; the claims of messages a
   * failure stops are released. Without it, each message is claimed when it runs.
   */
  claimAhead?(message: QueueMessage<TMessage>): Promise<AheadRun<TOutcome>>;
  isFailure(outcome: TOutcome): boolean;
  /** The outcome of a FIFO message not run because `blockedBy` failed before it. */
  blocked(message: QueueMessage<TMessage>, blockedBy: QueueMessage<TMessage>): TOutcome;
}

/**
 * Runs a batch and returns one outcome per message, in the batch's order.
 *
 * Standard queues run messages in parallel under the bound, except that messages in one
 * lane (`laneOf`) run one after another. FIFO queues run each `MessageGroupId`'s messages
 * one after another (groups in parallel under the bound); after a failure the rest of that
 * group is reported failed without running, so on redelivery the group resumes in order.
 */
export async function runBatch<TMessage, TOutcome>(
  messages: readonly QueueMessage<TMessage>[],
  plan: BatchPlan<TMessage, TOutcome>,
): Promise<TOutcome[]> {
  if (plan.fifo) return runInLanes(messages, plan, (message) => message.groupId, true);
  if (plan.laneOf) return runInLanes(messages, plan, plan.laneOf, false);
  return mapWithConcurrency(messages, plan.concurrency, (message) => plan.run(message));
}

/**
 * Runs each lane's messages in order, lanes in parallel under the bound. With
 * `stopAtFailure` (FIFO), the messages after a lane's first failure are `blocked`.
 */
async function runInLanes<TMessage, TOutcome>(
  messages: readonly QueueMessage<TMessage>[],
  plan: BatchPlan<TMessage, TOutcome>,
  laneOf: (message: QueueMessage<TMessage>) => string | undefined,
  stopAtFailure: boolean,
): Promise<TOutcome[]> {
  const outcomes = new Map<QueueMessage<TMessage>, TOutcome>();
  await mapWithConcurrency(lanesOf(messages, laneOf), plan.concurrency, async (lane) => {
    const ahead = stopAtFailure ? claimLaneAhead(lane, plan) : new Map();
    let failed: QueueMessage<TMessage> | undefined;
    for (const message of lane) {
      const claim = ahead.get(message);
      let outcome: TOutcome;
      if (failed) {
        await (await claim)?.release();
        outcome = plan.blocked(message, failed);
      } else {
        outcome = claim ? await (await claim).run() : await plan.run(message);
      }
      if (stopAtFailure && !failed && plan.isFailure(outcome)) failed = message;
      outcomes.set(message, outcome);
    }
  });
  return messages.map((message) => outcomes.get(message) as TOutcome);
}

/**
 * Claims a lane's messages ahead, all in the same turn so the store gets them as one
 * batch. A key repeated in the lane is claimed only at its first message: its later
 * copies run the ordinary way, after it, and find it done.
 */
function claimLaneAhead<TMessage, TOutcome>(
  lane: readonly QueueMessage<TMessage>[],
  plan: BatchPlan<TMessage, TOutcome>,
): Map<QueueMessage<TMessage>, Promise<AheadRun<TOutcome>>> {
  const ahead = new Map<QueueMessage<TMessage>, Promise<AheadRun<TOutcome>>>();
  if (!plan.claimAhead || lane.length < 2) return ahead;
  const seen = new Set<string>();
  for (const message of lane) {
    const key = plan.laneOf?.(message);
    if (key !== undefined && seen.has(key)) continue;
    if (key !== undefined) seen.add(key);
    ahead.set(message, plan.claimAhead(message));
  }
  return ahead;
}

/** Splits messages into lanes in arrival order; a message without a lane is its own. */
function lanesOf<TMessage>(
  messages: readonly QueueMessage<TMessage>[],
  laneOf: (message: QueueMessage<TMessage>) => string | undefined,
): QueueMessage<TMessage>[][] {
  const lanes = new Map<string | QueueMessage<TMessage>, QueueMessage<TMessage>[]>();
  for (const message of messages) {
    const id = laneOf(message) ?? message;
    const lane = lanes.get(id);
    if (lane) lane.push(message);
    else lanes.set(id, [message]);
  }
  return [...lanes.values()];
}
