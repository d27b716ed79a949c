import type { Deduper } from '@oncely/core';
import type { SQSRecord } from 'aws-lambda';
import type { KeyPicker } from '../key.js';
import type { QueueMessage } from '../message.js';
import type { RecordOutcome } from '../outcome.js';
import { runMessage } from '../run-message.js';

/**
 * A record claimed ahead of a batch handler: its run is parked inside the deduper,
 * holding the claim, until `complete` or `release` says how the handler did.
 */
export interface ClaimedRecord {
  readonly message: QueueMessage<SQSRecord>;
  /** The handler succeeded: completes the record. */
  complete(): Promise<RecordOutcome<undefined>>;
  /** The handler failed: releases the claim; the outcome carries `error`. */
  release(error: unknown): Promise<RecordOutcome<undefined>>;
}

/** The first step of a gated run: claimed, or already finished (duplicate or failure). */
export type ClaimStep =
  | { readonly kind: 'claimed'; readonly claimed: ClaimedRecord }
  | { readonly kind: 'done'; readonly outcome: RecordOutcome<undefined> };

/**
 * Claims a record without running anything yet: the deduper's handler waits on a gate
 * that {@link ClaimedRecord.complete} or {@link ClaimedRecord.release} opens. This splits oncely's claim-run-complete into
 * a claim before a middy batch handler and a complete or release after it, with the same
 * fencing, lease and events as a plain run. Never rejects.
 */
export async function claimGated(
  message: QueueMessage<SQSRecord>,
  deduper: Deduper<SQSRecord>,
  pickKey: KeyPicker<SQSRecord>,
  leaseMs: number | undefined,
): Promise<ClaimStep> {
  let open!: (verdict: { readonly failed: boolean; readonly error?: unknown }) => void;
  const gate = new Promise<{ readonly failed: boolean; readonly error?: unknown }>((resolve) => {
    open = resolve;
  });
  let markClaimed!: () => void;
  const claimed = new Promise<'claimed'>((resolve) => {
    markClaimed = () => resolve('claimed');
  });
  const finished = runMessage<SQSRecord, undefined>({
    message,
    deduper,
    pickKey,
    leaseMs,
    fn: async () => {
      markClaimed();
      const verdict = await gate;
      if (verdict.failed) throw verdict.error;
      return undefined;
    },
  });
  const first = await Promise.race([claimed, finished]);
  if (first !== 'claimed') return { kind: 'done', outcome: first };
  return {
    kind: 'claimed',
    claimed: {
      message,
      complete: () => {
        open({ failed: false });
        return finished;
      },
      release: (error) => {
        open({ failed: true, error });
        return finished;
      },
    },
  };
}
