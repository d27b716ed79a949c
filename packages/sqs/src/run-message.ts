import type { Deduper, RunContext } from '@oncely/core';
import type { KeyPicker } from './key.js';
import type { QueueMessage } from './message.js';
import { failedOutcome, type RecordOutcome } from './outcome.js';

/** One message's run. Internal. */
export interface MessageRun<TMessage, T> {
  readonly message: QueueMessage<TMessage>;
  readonly deduper: Deduper<TMessage>;
  readonly pickKey: KeyPicker<TMessage>;
  /** This run's lease; `undefined` keeps the deduper's. */
  readonly leaseMs: number | undefined;
  readonly fn: (context: RunContext) => Promise<T> | T;
}

/**
 * Reads the key and runs the message through the deduper. Never rejects: every error
 * (a bad key, a live claim, the handler's error, a store error, a lost lease) becomes a
 * `failed` outcome, so the caller cannot acknowledge a message by accident.
 */
export async function runMessage<TMessage, T>(
  run: MessageRun<TMessage, T>,
): Promise<RecordOutcome<T>> {
  const { message } = run;
  let key: string | undefined;
  try {
    key = run.pickKey(message);
    const result = await run.deduper.run(key, run.fn, {
      input: message.raw,
      ...(run.leaseMs === undefined ? {} : { leaseMs: run.leaseMs }),
    });
    return {
      status: result.status,
      messageId: message.messageId,
      key,
      storeKey: result.storeKey,
      result: result.result,
    };
  } catch (error) {
    return failedOutcome(message.messageId, error, key);
  }
}

/**
 * The handler's context: the run context plus what the adapter knows about the message.
 * It delegates to the run context rather than copying it, so the lazily made `signal`
 * stays lazy.
 */
export function extendContext<TExtra extends object>(
  context: RunContext,
  extra: TExtra,
): RunContext & TExtra {
  return {
    ...extra,
    get key() {
      return context.key;
    },
    get storeKey() {
      return context.storeKey;
    },
    get token() {
      return context.token;
    },
    get signal() {
      return context.signal;
    },
    extendLease: (leaseMs) => context.extendLease(leaseMs),
    addEffect: (effect) => context.addEffect(effect),
  };
}
