import { mapWithConcurrency } from './concurrency.js';
import type { QueueMessage } from './message.js';

/** How one batch is run. Internal. */
export interface BatchPlan<TMessage, TOutcome> {
  /** FIFO: in order per `MessageGroupId`, stopping a group at its first failure. */
  readonly fifo: boolean;
  /** At most this many messages (standard) or groups (FIFO) in flight. */
  readonly concurrency: number;
  /** Runs one message; never rejects. */
  run(message: QueueMessage<TMessage>): Promise<TOutcome>;
  isFailure(outcome: TOutcome): boolean;
  /** The outcome of a FIFO message not run because `blockedBy` failed before it. */
  blocked(message: QueueMessage<TMessage>, blockedBy: QueueMessage<TMessage>): TOutcome;
}

/**
 * Runs a batch and returns one outcome per message, in the batch's order.
 *
 * Standard queues run messages in parallel under the bound. FIFO queues run each
 * `MessageGroupId`'s messages one after another (groups in parallel under the bound);
 * after a failure the rest of that group is reported failed without running, so on
 * redelivery the group resumes in order.
 */
export async function runBatch<TMessage, TOutcome>(
  messages: readonly QueueMessage<TMessage>[],
  plan: BatchPlan<TMessage, TOutcome>,
): Promise<TOutcome[]> {
  if (!plan.fifo)
    return mapWithConcurrency(messages, plan.concurrency, (message) => plan.run(message));
  const outcomes = new Map<QueueMessage<TMessage>, TOutcome>();
  await mapWithConcurrency(groupsOf(messages), plan.concurrency, async (group) => {
    let failed: QueueMessage<TMessage> | undefined;
    for (const message of group) {
      const outcome = failed ? plan.blocked(message, failed) : await plan.run(message);
      if (!failed && plan.isFailure(outcome)) failed = message;
      outcomes.set(message, outcome);
    }
  });
  return messages.map((message) => outcomes.get(message) as TOutcome);
}

/** Groups by `MessageGroupId` in arrival order; a message without one is its own group. */
function groupsOf<TMessage>(
  messages: readonly QueueMessage<TMessage>[],
): QueueMessage<TMessage>[][] {
  const groups = new Map<string | QueueMessage<TMessage>, QueueMessage<TMessage>[]>();
  for (const message of messages) {
    const id = message.groupId ?? message;
    const group = groups.get(id);
    if (group) group.push(message);
    else groups.set(id, [message]);
  }
  return [...groups.values()];
}
