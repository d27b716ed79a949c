import { setTimeout as sleep } from 'node:timers/promises';
import { type ClaimedRun, InProgressError, type RunContext } from '@oncely/core';
import type { PartitionBatch } from './consumer.js';
import type { InterruptReason, MessageKeyError } from './errors.js';
import { withHeartbeat } from './keep-alive.js';
import { deadLetterKey, type KeySource } from './keys.js';
import type { ResolvedKafkaOptions } from './options.js';
import type { KafkaMessage, KafkaMessageContext } from './types.js';

/** What the loop around a message can do: heartbeat, and tell when to stop. Internal. */
export type PartitionControls = Pick<PartitionBatch, 'heartbeat' | 'stopReason'>;

/** How one message ended. `stale` and `stopping` mean it did not run and must not be resolved. */
export type MessageOutcome = 'processed' | 'duplicate' | 'dead_lettered' | InterruptReason;

/** A settled claim attempt: never rejects, so a claim taken ahead can fail unobserved. */
type Attempt =
  | { readonly ok: true; readonly claim: ClaimedRun }
  | { readonly ok: false; readonly error: unknown };

/** A message with its key read and its claim started, or the reason its key cannot be read. Internal. */
export type PreparedMessage<M extends KafkaMessage> =
  | {
      readonly kind: 'keyed';
      readonly context: KafkaMessageContext<M>;
      readonly attempt: Promise<Attempt>;
    }
  | { readonly kind: 'invalid'; readonly source: KeySource<M>; readonly error: MessageKeyError };

/** Reads the message's key and starts claiming it (not awaited: claims may run ahead). Internal. */
export function prepareMessage<M extends KafkaMessage, T>(
  options: ResolvedKafkaOptions<M, T>,
  source: KeySource<M>,
): PreparedMessage<M> {
  let key: string;
  try {
    key = options.readKey(source);
  } catch (error) {
    return { kind: 'invalid', source, error: error as MessageKeyError };
  }
  const context: KafkaMessageContext<M> = { ...source, key };
  return { kind: 'keyed', context, attempt: claim(options, context) };
}

/**
 * Takes one prepared message to its end: runs the handler under its claim, skips a
 * duplicate, waits out another member's live claim (never running concurrently),
 * or hands a poison message to `deadLetter`. Throws when the partition must stop
 * at this message: a handler error (its claim already released), a store error, a
 * lease lost, an unreadable key without `deadLetter`, or a claim still held by
 * another member after `inProgressTimeout`.
 */
export async function settleMessage<M extends KafkaMessage, T>(
  options: ResolvedKafkaOptions<M, T>,
  prepared: PreparedMessage<M>,
  controls: PartitionControls,
  /** Called when the handler has returned, before its record is completed. */
  onHandled?: () => void,
): Promise<MessageOutcome> {
  if (prepared.kind === 'invalid') {
    const { deadLetter } = options;
    if (deadLetter === undefined) throw prepared.error;
    // Claimed by position, so a redelivery before the commit does not dead-letter it twice.
    const context = { ...prepared.source, key: deadLetterKey(prepared.source) };
    const claimPosition = () => claim(options, context, false);
    const outcome = await runOnce(options, claimPosition(), claimPosition, controls, async () => {
      await deadLetter(prepared.source, prepared.error);
    });
    return outcome === 'processed' || outcome === 'duplicate' ? 'dead_lettered' : outcome;
  }
  const { context } = prepared;
  const reclaim = () => claim(options, context);
  return runOnce(options, prepared.attempt, reclaim, controls, async (runContext) => {
    const value = await options.handler(context, runContext);
    onHandled?.();
    return value;
  });
}

/**
 * Runs `effect` under the claim `firstAttempt` resolves to: skips a duplicate, and
 * waits out another member's live claim (claiming again after each wait) until
 * `inProgressTimeout`.
 */
async function runOnce<M extends KafkaMessage, T>(
  options: ResolvedKafkaOptions<M, T>,
  firstAttempt: Promise<Attempt>,
  reclaim: () => Promise<Attempt>,
  controls: PartitionControls,
  effect: (runContext: RunContext) => Promise<unknown>,
): Promise<MessageOutcome> {
  const deadline = options.deduper.clock.now() + options.inProgressTimeoutMs;
  let attempt = firstAttempt;
  for (;;) {
    const settled = await attempt;
    try {
      if (!settled.ok) throw settled.error;
      if (settled.claim.status === 'duplicate') return 'duplicate';
      const ready = settled.claim;
      const outcome = await withHeartbeat(controls.heartbeat, options.heartbeatIntervalMs, () =>
        ready.run(effect),
      );
      // Transactional mode decides at commit: a copy that lost the race is a duplicate.
      return outcome.status;
    } catch (error) {
      if (!(error instanceof InProgressError)) throw error;
      const waitMs = Math.max(1, Math.min(error.retryAfterMs, options.heartbeatIntervalMs));
      if (options.deduper.clock.now() + waitMs > deadline) throw error;
      await sleep(waitMs);
      await controls.heartbeat();
      const reason = controls.stopReason();
      if (reason !== undefined) return reason;
      attempt = reclaim();
    }
  }
}

/** Gives back the claim of a message that will not run now, so its next delivery need not wait. Internal. */
export async function discardMessage<M extends KafkaMessage>(
  prepared: PreparedMessage<M>,
): Promise<void> {
  if (prepared.kind === 'invalid') return;
  const settled = await prepared.attempt;
  if (settled.ok && settled.claim.status === 'ready') await settled.claim.release();
}

function claim<M extends KafkaMessage, T>(
  options: ResolvedKafkaOptions<M, T>,
  context: KafkaMessageContext<M>,
  /** Whether the `fingerprint` picker reads this claim's input (not a poison message's). */
  fingerprinted = true,
): Promise<Attempt> {
  return options.deduper.claim(context.key, fingerprinted ? { input: context } : {}).then(
    (claimed): Attempt => ({ ok: true, claim: claimed }),
    (error: unknown): Attempt => ({ ok: false, error }),
  );
}
