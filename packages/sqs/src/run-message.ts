import type { Deduper, RunContext } from '@oncely/core';
import type { KeyPicker } from './key.js';
import type { QueueMessage } from './message.js';
import { failedOutcome, type RecordOutcome } from './outcome.js';
import { observeMessage, openMessageScope, telemetryOutcome } from './telemetry.js';

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
export function runMessage<TMessage, T>(run: MessageRun<TMessage, T>): Promise<RecordOutcome<T>> {
  const { deduper } = run;
  return observeMessage(deduper.telemetry, run.message, deduper.namespace, () => runUntraced(run));
}

async function runUntraced<TMessage, T>(run: MessageRun<TMessage, T>): Promise<RecordOutcome<T>> {
  const { message } = run;
  let key: string | undefined;
  try {
    key = run.pickKey(message);
    const result = await run.deduper.run(key, run.fn, {
      input: message.raw,
      ...(run.leaseMs === undefined ? {} : { leaseMs: run.leaseMs }),
      // SQS counts deliveries: a message received before probably has its record.
      redelivery: (message.receiveCount ?? 1) > 1,
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

/** A message claimed ahead of its turn: run it when its turn comes, or give it back. Internal. */
export interface AheadRun<TOutcome> {
  /** Runs the handler under the claim (or answers the duplicate or failure found at the claim). Never rejects. */
  run(): Promise<TOutcome>;
  /** Gives the claim back without running (a FIFO group stopped before it). */
  release(): Promise<void>;
}

/**
 * Reads the key and claims the message now, to run it later: FIFO groups claim all
 * their messages together (one batch for the store) and run them in order. Never
 * rejects: a bad key or a failed claim becomes the message's `failed` outcome.
 */
export async function claimMessageAhead<TMessage, T>(
  run: MessageRun<TMessage, T>,
): Promise<AheadRun<RecordOutcome<T>>> {
  const { deduper, message } = run;
  const scope = openMessageScope(deduper.telemetry, message);
  if (scope === undefined) return claimUntraced(run);
  const ahead = await scope.with(() => claimUntraced(run));
  const end = (outcome: RecordOutcome<T>) => {
    scope.end(telemetryOutcome(outcome, deduper.namespace));
    return outcome;
  };
  return {
    run: () => scope.with(() => ahead.run()).then(end),
    release: async () => {
      try {
        await scope.with(() => ahead.release());
      } finally {
        scope.end({ status: 'not_run', namespace: deduper.namespace, key: undefined });
      }
    },
  };
}

async function claimUntraced<TMessage, T>(
  run: MessageRun<TMessage, T>,
): Promise<AheadRun<RecordOutcome<T>>> {
  const { message } = run;
  let key: string | undefined;
  try {
    key = run.pickKey(message);
    const claimKey = key;
    const claimed = await run.deduper.claim(key, {
      input: message.raw,
      ...(run.leaseMs === undefined ? {} : { leaseMs: run.leaseMs }),
      // SQS counts deliveries: a message received before probably has its record.
      redelivery: (message.receiveCount ?? 1) > 1,
    });
    if (claimed.status === 'duplicate') {
      return settled({
        status: 'duplicate',
        messageId: message.messageId,
        key,
        storeKey: claimed.storeKey,
        result: claimed.result as T | undefined,
      });
    }
    return {
      run: () =>
        claimed.run(run.fn).then(
          (result): RecordOutcome<T> => ({
            status: result.status,
            messageId: message.messageId,
            key: claimKey,
            storeKey: result.storeKey,
            result: result.result,
          }),
          (error: unknown) => failedOutcome(message.messageId, error, claimKey),
        ),
      release: () => claimed.release(),
    };
  } catch (error) {
    return settled(failedOutcome(message.messageId, error, key));
  }
}

function settled<TOutcome>(outcome: TOutcome): AheadRun<TOutcome> {
  return { run: async () => outcome, release: async () => {} };
}

/**
 * The run context as the adapter hands it on: its key, store key and token (fixed for the
 * run) as own fields, `signal` delegated on read. A class rather than an object literal
 * with getters, which V8 builds slowly (a few percent of a message's client CPU on the
 * Redis store); the run context's `signal` stays lazy.
 */
class MessageContext implements RunContext {
  readonly key: string;
  readonly storeKey: string;
  readonly token: string | undefined;
  // Own properties, so they keep working when destructured from the context.
  readonly extendLease: (leaseMs?: number) => Promise<void>;
  readonly addEffect: (effect: unknown) => void;
  readonly #run: RunContext;

  constructor(run: RunContext) {
    this.key = run.key;
    this.storeKey = run.storeKey;
    this.token = run.token;
    this.#run = run;
    this.extendLease = (leaseMs) => run.extendLease(leaseMs);
    this.addEffect = (effect) => run.addEffect(effect);
  }

  get signal(): AbortSignal {
    return this.#run.signal;
  }
}

/**
 * The handler's context: the run context plus what the adapter knows about the message.
 * It delegates `signal` to the run context rather than copying it, so the lazily made
 * signal stays lazy.
 */
export function extendContext<TExtra extends object>(
  context: RunContext,
  extra: TExtra,
): RunContext & TExtra {
  return Object.assign(new MessageContext(context), extra);
}
