import { setTimeout as sleep } from 'node:timers/promises';
import { InvalidOptionError } from '@oncely/core';
import type { BatchEnd, PartitionBatch } from '../consumer.js';
import type { InterruptReason } from '../errors.js';
import { type PlatformaticKafkaMessage, toKafkaMessage } from './message.js';
import type {
  PlatformaticCommitOffset,
  PlatformaticConsumer,
  PlatformaticMessage,
  PlatformaticStream,
} from './types.js';

/** How the runner treats failures and commits. Internal: the options are checked by the callers. */
export interface RunnerSettings {
  readonly retries: number;
  readonly retryDelayMs: number;
  readonly commit: boolean;
  readonly onError: ((error: unknown) => void) | undefined;
  /** The most messages one partition buffers, so the most one batch holds. */
  readonly maxBatch: number;
  /** The most messages buffered across the partitions. */
  readonly maxBuffered: number;
}

/** What `consumeStream` and `consumeStreamWithWatermarks` return. */
export interface StreamConsumption {
  /**
   * Settles when consumption has ended and the last commit was attempted: resolves after
   * `stop()` or the end of the stream, rejects with the error (as thrown: `MessageKeyError`,
   * `StoreError`, `LeaseLostError`, a handler's error, ...) of a message that still failed
   * after its retries, or with the stream's own error.
   */
  readonly done: Promise<void>;
  /**
   * Stops between messages: closes the stream, gives back the claims taken ahead, waits for
   * the running handlers, commits what they finished, then resolves (also after a failure).
   * Close the consumer after it.
   */
  stop(): Promise<void>;
}

/** One partition's messages waiting for their turn, and where the partition stands. */
interface PartitionState<R extends PlatformaticMessage> {
  readonly topic: string;
  readonly partition: number;
  queue: PlatformaticKafkaMessage<R>[];
  worker: Promise<void> | undefined;
  /** The first offset not yet processed, once one was; messages below it are refetches. */
  next: bigint | undefined;
  /** Messages fetched in an earlier generation are dropped (the partition was lost since). */
  minGeneration: number;
  /** Whether the member owns the partition, as of the consumer's `assignments` in `ownedIn`. */
  owned: boolean;
  ownedIn: PlatformaticConsumer['assignments'] | undefined;
}

/**
 * Messages buffered per partition before the runner stops reading the stream
 * (backpressure) in the per-message modes: enough to keep the stream busy while a batch
 * waits for its last store write and its commit (a few ms).
 */
export const MESSAGE_MODE_BATCH = 4096;

/**
 * The same in watermark mode, where a batch costs one store write that nothing overlaps:
 * the handlers wait for it, so the larger the batch a lagging partition gets, the less
 * of the time goes to it (at 3 µs a message and 5 ms a write, 4,096 spend 30% waiting,
 * 16,384 spend 9%).
 */
export const WATERMARK_MODE_BATCH = 16_384;

/** Messages buffered across all partitions: bounds memory whatever the partition count. */
export const MAX_BUFFERED = 65_536;

/**
 * Runs `process` over the stream: messages are grouped per partition into batches of what
 * is buffered, partitions run concurrently, each in offset order, and each partition's last
 * resolved offset is committed after its batch. Internal; see `consumeStream`.
 */
export function runStream<R extends PlatformaticMessage>(
  stream: PlatformaticStream<R>,
  process: (batch: PartitionBatch<PlatformaticKafkaMessage<R>>) => Promise<BatchEnd>,
  settings: RunnerSettings,
): StreamConsumption {
  const { consumer } = stream;
  const partitions = new Map<string, PartitionState<R>>();
  const commits = new Commits(consumer, settings.commit);
  let stopping = false;
  /** Messages queued across the partitions. */
  let buffered = 0;
  let failure: { error: unknown } | undefined;
  let wakeReader: (() => void) | undefined;

  const owned = (state: PartitionState<R>): boolean => {
    // Asked between every two messages: the answer is kept until the client replaces its
    // assignments array, which it does at each group join.
    const { assignments } = consumer;
    if (state.ownedIn !== assignments) {
      state.ownedIn = assignments;
      state.owned =
        assignments?.some(
          (a) => a.topic === state.topic && a.partitions.includes(state.partition),
        ) ?? false;
    }
    return state.owned;
  };

  const stopReason = (state: PartitionState<R>): InterruptReason | undefined => {
    if (stopping) return 'stopping';
    // After a rebalance the stream still holds what it fetched for partitions it lost.
    if (!owned(state)) return 'stale';
    return undefined;
  };

  const forget = (state: PartitionState<R>) => {
    buffered -= state.queue.length;
    state.queue = [];
    state.next = undefined;
    state.minGeneration = consumer.generationId;
    // The reader may be waiting behind this partition's full buffer (or the total): with
    // the buffer gone and no worker left to take it, nothing else would wake it.
    wakeReader?.();
  };

  // A commit refused during a rebalance is tried again once the member has rejoined.
  const onJoin = () => void commits.flush();
  consumer.on('consumer:group:join', onJoin);

  const stop = () => {
    stopping = true;
    wakeReader?.();
    return stream.close();
  };

  const fail = (error: unknown) => {
    failure ??= { error };
    void stop().catch(() => {});
  };

  const runPartition = async (state: PartitionState<R>): Promise<void> => {
    while (state.queue.length > 0 && !stopping) {
      if (stopReason(state) === 'stale') {
        forget(state);
        break;
      }
      const fetched = state.queue;
      state.queue = [];
      buffered -= fetched.length;
      wakeReader?.();
      let resolved: string | undefined;
      const batch = (messages: readonly PlatformaticKafkaMessage<R>[]) => ({
        topic: state.topic,
        partition: state.partition,
        messages,
        resolveOffset: (offset: string) => {
          resolved = offset;
        },
        // The client heartbeats on its own timer, whatever the handler does.
        heartbeat: async () => {},
        stopReason: () => stopReason(state),
      });
      let end: BatchEnd;
      let messages = fetched;
      for (let attempt = 0; ; attempt++) {
        try {
          end = await process(batch(messages));
          break;
        } catch (error) {
          settings.onError?.(error);
          commitResolved(state, fetched, resolved);
          if (attempt >= settings.retries || stopReason(state) !== undefined) {
            fail(error);
            return;
          }
          // Again in place, from the failing message: the ones before it are resolved.
          const from = resolved === undefined ? -1n : BigInt(resolved);
          messages = messages.filter((m) => m.raw.offset > from);
          await sleep(settings.retryDelayMs * 2 ** attempt);
        }
      }
      commitResolved(state, fetched, resolved);
      if (end?.reason === 'stale') forget(state);
      if (end !== undefined) break;
    }
  };

  /** Commits the partition up to its last resolved offset (the batch is searched once for it). */
  const commitResolved = (
    state: PartitionState<R>,
    fetched: readonly PlatformaticKafkaMessage<R>[],
    resolved: string | undefined,
  ) => {
    if (resolved === undefined) return;
    const next = BigInt(resolved) + 1n;
    if (state.next !== undefined && state.next >= next) return;
    state.next = next;
    const message = fetched.find((m) => m.offset === resolved);
    commits.add({
      topic: state.topic,
      partition: state.partition,
      offset: next,
      leaderEpoch: message?.raw.leaderEpoch ?? -1,
    });
  };

  const startWorker = (state: PartitionState<R>, first: Promise<void>) => {
    state.worker = first
      .then(() => runPartition(state))
      .catch(fail)
      .finally(() => {
        state.worker = undefined;
        if (state.queue.length > 0 && !stopping) startWorker(state, Promise.resolve());
      });
  };

  // The stream delivers a fetched partition's messages in a row: its state is looked up once.
  let latest: PartitionState<R> | undefined;
  const partitionOf = (raw: R): PartitionState<R> => {
    if (latest?.partition === raw.partition && latest.topic === raw.topic) return latest;
    const id = `${raw.topic}:${raw.partition}`;
    let state = partitions.get(id);
    if (state === undefined) {
      state = {
        topic: raw.topic,
        partition: raw.partition,
        queue: [],
        worker: undefined,
        next: undefined,
        minGeneration: 0,
        owned: false,
        ownedIn: undefined,
      };
      partitions.set(id, state);
    }
    latest = state;
    return state;
  };

  /** Queues `raw` on its partition and returns that partition. */
  const enqueue = (raw: R): PartitionState<R> => {
    const state = partitionOf(raw);
    const generation = raw.metadata?.consumer?.generationId ?? consumer.generationId;
    if (generation < state.minGeneration) return state;
    // After a group join the stream fetches again from the committed offset: what this
    // runner already processed (or has queued) comes again and is dropped here.
    const last =
      state.queue.at(-1)?.raw.offset ?? (state.next === undefined ? undefined : state.next - 1n);
    if (last !== undefined && raw.offset <= last) return state;
    state.queue.push(toKafkaMessage(raw));
    buffered++;
    // Started on the next turn of the event loop, so its batch holds everything the stream
    // has buffered by then, not just this message.
    if (state.worker === undefined) {
      startWorker(state, new Promise<void>((resolve) => setImmediate(resolve)));
    }
    return state;
  };

  const read = async () => {
    try {
      let checked = false;
      for await (const raw of stream) {
        if (stopping) continue; // closing: let the stream drain, run nothing more
        if (!checked) {
          checkAutocommit(raw);
          checked = true;
        }
        const state = enqueue(raw);
        while (
          (state.queue.length >= settings.maxBatch || buffered >= settings.maxBuffered) &&
          !stopping
        ) {
          await new Promise<void>((resolve) => {
            wakeReader = resolve;
          });
          wakeReader = undefined;
        }
      }
    } catch (error) {
      if (!stopping) failure ??= { error };
    }
    stopping = true;
    await Promise.all([...partitions.values()].map((state) => state.worker));
    await commits.flush();
    consumer.removeListener('consumer:group:join', onJoin);
    if (failure !== undefined) throw failure.error;
  };

  const done = read();
  // `done` is the user's to observe; stop() must not turn into an unhandled rejection.
  done.catch(() => {});
  return {
    done,
    stop: async () => {
      await stop();
      await done.catch(() => {});
    },
  };
}

/**
 * A stream with `autocommit` commits every fetched offset on its own, past messages that
 * never ran; its messages' `commit` is then the client's no-op callback.
 */
function checkAutocommit(raw: PlatformaticMessage): void {
  const commit = raw.commit as { name?: string } | undefined;
  if (typeof commit === 'function' && commit.name === 'noopCallback') {
    throw new InvalidOptionError(
      'stream',
      'expected a stream consumed with `autocommit: false` (it commits every fetched offset, past messages that never ran)',
    );
  }
}

/**
 * The offsets to commit, one request in flight at a time (so a lower offset never lands
 * after a higher one), each partition's newest offset only. A failed commit (a rebalance in
 * progress) is kept and tried again with the next; a partition lost since is never committed,
 * as its new owner's commits must not be overwritten.
 */
class Commits {
  private readonly pending = new Map<string, PlatformaticCommitOffset>();
  private flushing: Promise<void> | undefined;

  constructor(
    private readonly consumer: PlatformaticConsumer,
    private readonly enabled: boolean,
  ) {}

  add(offset: PlatformaticCommitOffset): void {
    if (!this.enabled) return;
    this.pending.set(`${offset.topic}:${offset.partition}`, offset);
    void this.flush();
  }

  flush(): Promise<void> {
    this.flushing ??= this.run().finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  private async run(): Promise<void> {
    while (this.pending.size > 0) {
      const offsets = [...this.pending.values()].filter((o) =>
        this.consumer.assignments?.some(
          (a) => a.topic === o.topic && a.partitions.includes(o.partition),
        ),
      );
      this.pending.clear();
      if (offsets.length === 0) return;
      try {
        await this.consumer.commit({ offsets });
      } catch {
        // The group is rebalancing, or the coordinator moved: keep the offsets for the next
        // commit (the next batch's, or the one after the group join).
        for (const offset of offsets) {
          const key = `${offset.topic}:${offset.partition}`;
          const newer = this.pending.get(key);
          if (newer === undefined || newer.offset < offset.offset) this.pending.set(key, offset);
        }
        return;
      }
    }
  }
}
