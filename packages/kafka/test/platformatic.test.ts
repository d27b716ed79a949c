import { setTimeout as sleep } from 'node:timers/promises';
import { InvalidOptionError, MemoryStore, type OncelyEvent, silentLogger } from '@oncely/core';
import { describe, expect, it } from 'vitest';
import { MemoryWatermarkStore, MessageKeyError } from '../src/index.js';
import {
  consumeStream,
  consumeStreamWithWatermarks,
  type PlatformaticCommitOffset,
  type PlatformaticGroupEvent,
  type PlatformaticMessage,
  type PlatformaticStream,
} from '../src/platformatic/index.js';
import { type RunnerSettings, runStream } from '../src/platformatic/runner.js';

/** A consumer with a fixed assignment that records its commits and can fire a group join. */
class FakeConsumer {
  assignments: { topic: string; partitions: number[] }[] = [{ topic: 't', partitions: [0, 1] }];
  generationId = 1;
  readonly commits: PlatformaticCommitOffset[][] = [];
  private readonly listeners = new Map<PlatformaticGroupEvent, Set<() => void>>();
  commit(options: { offsets: PlatformaticCommitOffset[] }) {
    this.commits.push(options.offsets);
  }
  on(event: PlatformaticGroupEvent, listener: () => void) {
    const set = this.listeners.get(event) ?? new Set();
    this.listeners.set(event, set.add(listener));
  }
  removeListener(event: PlatformaticGroupEvent, listener: () => void) {
    this.listeners.get(event)?.delete(listener);
  }
  private emit(event: PlatformaticGroupEvent) {
    for (const listener of this.listeners.get(event) ?? []) listener();
  }
  /** A rebalance: the new generation's assignment, then the join event. */
  rejoin(partitions: number[]) {
    this.generationId++;
    this.assignments = [{ topic: 't', partitions }];
    this.emit('consumer:group:join');
  }
  /**
   * A change under the `'consumer'` group protocol (KIP-848): partitions revoked with a
   * `consumer:group:rebalance` and the new assignment set, with no join and no new generation.
   */
  reassign(partitions: number[]) {
    this.emit('consumer:group:rebalance');
    this.assignments = [{ topic: 't', partitions }];
  }
  /** Each partition's last committed offset, as numbers. */
  committed(): Record<number, number> {
    const last: Record<number, number> = {};
    for (const o of this.commits.flat()) last[o.partition] = Number(o.offset);
    return last;
  }
}

/** A MessagesStream stand-in: messages are pushed in, `close()` ends it. */
class FakeStream implements PlatformaticStream {
  readonly consumer = new FakeConsumer();
  private readonly items: PlatformaticMessage[] = [];
  /** How many messages the reader took from the stream. */
  yielded = 0;
  private wake: (() => void) | undefined;
  private ended = false;
  push(...messages: PlatformaticMessage[]) {
    this.items.push(...messages);
    this.wake?.();
  }
  async close() {
    this.ended = true;
    this.wake?.();
  }
  async *[Symbol.asyncIterator]() {
    for (;;) {
      const next = this.items.shift();
      if (next !== undefined) {
        this.yielded++;
        yield next;
      } else if (this.ended) return;
      else await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }
}

function raw(
  offset: number,
  { partition = 0, value = `{"n":${offset}}`, generationId = 1 } = {},
): PlatformaticMessage {
  return {
    key: Buffer.from(`k${offset}`),
    value: Buffer.from(value),
    headerEntries: [
      [Buffer.from('id'), Buffer.from(`h${offset}`)],
      [Buffer.from('tag'), Buffer.from('a')],
      [Buffer.from('tag'), Buffer.from('b')],
    ],
    topic: 't',
    partition,
    offset: BigInt(offset),
    timestamp: 5n,
    leaderEpoch: 7,
    metadata: { consumer: { generationId } },
    commit: () => {},
  };
}

const range = (from: number, count: number, options?: Parameters<typeof raw>[1]) =>
  Array.from({ length: count }, (_, i) => raw(from + i, options));

const until = async (check: () => boolean) => {
  while (!check()) await sleep(2);
};

/** A handler that records each offset and holds at `offset` until `release()`. */
function heldAt(offset: string) {
  const effects: string[] = [];
  const events: OncelyEvent[] = [];
  let release!: () => void;
  let enter!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const entered = new Promise<void>((resolve) => (enter = resolve));
  const handler = async ({ message }: { message: { offset: string } }) => {
    if (message.offset === offset) {
      enter();
      await gate;
    }
    effects.push(message.offset);
  };
  return { effects, events, handler, entered, release };
}

describe('consumeStream', () => {
  it('runs each partition in offset order, converts the messages, and commits after each batch', async () => {
    const stream = new FakeStream();
    const seen: string[] = [];
    const run = consumeStream(stream, {
      store: new MemoryStore(),
      groupId: 'g',
      handler: ({ partition, message }) => {
        seen.push(`${partition}/${message.offset}`);
        expect(message.headers).toEqual({
          id: Buffer.from(`h${message.offset}`),
          tag: [Buffer.from('a'), Buffer.from('b')],
        });
        expect(message.raw.offset).toBe(BigInt(message.offset));
        expect(message.timestamp).toBe('5');
      },
    });
    stream.push(...range(0, 3), ...range(0, 2, { partition: 1 }));
    await until(() => seen.length === 5);
    await run.stop();
    expect(seen.filter((s) => s.startsWith('0/'))).toEqual(['0/0', '0/1', '0/2']);
    expect(seen.filter((s) => s.startsWith('1/'))).toEqual(['1/0', '1/1']);
    expect(stream.consumer.committed()).toEqual({ 0: 3, 1: 2 });
    expect(stream.consumer.commits.flat()[0]).toMatchObject({ topic: 't', leaderEpoch: 7 });
  });

  it('drops offsets the stream fetches again after a group join', async () => {
    const stream = new FakeStream();
    let runs = 0;
    const run = consumeStream(stream, {
      store: new MemoryStore(),
      groupId: 'g',
      handler: () => {
        runs++;
      },
    });
    stream.push(...range(0, 3));
    await until(() => runs === 3);
    stream.consumer.rejoin([0, 1]);
    stream.push(...range(1, 4, { generationId: 2 })); // from the committed offset, and on
    await until(() => runs === 5);
    await sleep(10);
    await run.stop();
    expect(runs).toBe(5);
    expect(stream.consumer.committed()).toEqual({ 0: 5 });
  });

  it('retries a failing message in place, then stops with the error, committing only what ran before it', async () => {
    const stream = new FakeStream();
    const effects: string[] = [];
    const errors: unknown[] = [];
    const run = consumeStream(stream, {
      store: new MemoryStore(),
      groupId: 'g',
      key: { field: 'n' },
      retries: 2,
      retryDelay: 1,
      logger: silentLogger,
      onError: (error) => errors.push(error),
      handler: ({ message }) => {
        effects.push(message.offset);
      },
    });
    stream.push(raw(0), raw(1), raw(2, { value: 'not json' }), raw(3), raw(1, { partition: 1 }));
    await expect(run.done).rejects.toBeInstanceOf(MessageKeyError);
    expect(errors).toHaveLength(3); // the first attempt and two retries
    expect(effects.slice(0, 2)).toEqual(['0', '1']);
    expect(effects).not.toContain('3');
    expect(stream.consumer.committed()[0]).toBe(2);
    await run.stop(); // after a failure it just resolves
  });

  it('runs a message whose handler failed once again, and only that one, on the retry', async () => {
    const stream = new FakeStream();
    const effects: string[] = [];
    let failures = 0;
    const run = consumeStream(stream, {
      store: new MemoryStore(),
      groupId: 'g',
      retryDelay: 1,
      logger: silentLogger,
      handler: ({ message }) => {
        if (message.offset === '1' && failures++ === 0) throw new Error('flaky');
        effects.push(message.offset);
      },
    });
    stream.push(...range(0, 3));
    await until(() => effects.length === 3);
    await run.stop();
    expect(effects).toEqual(['0', '1', '2']);
    expect(stream.consumer.committed()).toEqual({ 0: 3 });
  });

  it('stops a partition lost in a rebalance, gives back its claims taken ahead, and never commits it', async () => {
    const stream = new FakeStream();
    const { effects, events, handler, entered, release } = heldAt('1');
    const run = consumeStream(stream, {
      store: new MemoryStore(),
      groupId: 'g',
      claimAhead: 4,
      onEvent: (event) => events.push(event),
      handler,
    });
    stream.push(...range(0, 6));
    await entered;
    stream.consumer.rejoin([1]); // partition 0 moved to another member
    release();
    stream.push(raw(6)); // fetched before the join, delivered after it
    await sleep(20);
    await run.stop();
    expect(effects).toEqual(['0', '1']); // the running one ends; nothing after it starts
    expect(events.filter((e) => e.type === 'released').length).toBeGreaterThan(0);
    expect(stream.consumer.commits).toEqual([]); // partition 0 is no longer ours to commit
  });

  it('stops between messages on stop(), releasing unrun claims, and commits what ran', async () => {
    const stream = new FakeStream();
    const { effects, events, handler, entered, release } = heldAt('2');
    const run = consumeStream(stream, {
      store: new MemoryStore(),
      groupId: 'g',
      onEvent: (event) => events.push(event),
      handler,
    });
    stream.push(...range(0, 8));
    await entered;
    const stopped = run.stop();
    release();
    await stopped;
    await run.done;
    expect(effects).toEqual(['0', '1', '2']);
    expect(stream.consumer.committed()).toEqual({ 0: 3 });
    expect(events.filter((e) => e.type === 'released').length).toBeGreaterThan(0);
  });

  it('runs one message at a time with claimAhead: 0', async () => {
    const stream = new FakeStream();
    const claimedBeforeRun: number[] = [];
    let claims = 0;
    const run = consumeStream(stream, {
      store: new MemoryStore(),
      groupId: 'g',
      claimAhead: 0,
      onEvent: (event) => event.type === 'claimed' && claims++,
      handler: () => {
        claimedBeforeRun.push(claims);
      },
    });
    stream.push(...range(0, 4));
    await until(() => claimedBeforeRun.length === 4);
    await run.stop();
    expect(claimedBeforeRun).toEqual([1, 2, 3, 4]);
  });

  it('refuses a stream that commits on its own, and bad options', async () => {
    const stream = new FakeStream();
    const run = consumeStream(stream, {
      store: new MemoryStore(),
      groupId: 'g',
      handler: () => {},
    });
    stream.push({ ...raw(0), commit: function noopCallback() {} });
    await expect(run.done).rejects.toBeInstanceOf(InvalidOptionError);
    const base = { store: new MemoryStore(), groupId: 'g', handler: () => {} };
    expect(() => consumeStream({} as FakeStream, base)).toThrow(InvalidOptionError);
    expect(() => consumeStream(new FakeStream(), { ...base, retries: -1 })).toThrow(/retries/);
    expect(() => consumeStream(new FakeStream(), { ...base, commit: 'no' as never })).toThrow(
      /commit/,
    );
  });

  it('never commits with commit: false', async () => {
    const stream = new FakeStream();
    let runs = 0;
    const run = consumeStream(stream, {
      store: new MemoryStore(),
      groupId: 'g',
      commit: false,
      handler: () => {
        runs++;
      },
    });
    stream.push(...range(0, 3));
    await until(() => runs === 3);
    await run.stop();
    expect(stream.consumer.commits).toEqual([]);
  });
});

describe('consumeStreamWithWatermarks', () => {
  /** A watermark run on a fake stream, counting the store's watermark reads. */
  function watermarkRun() {
    const stream = new FakeStream();
    const watermarks = new MemoryWatermarkStore();
    let count = 0;
    const read = watermarks.read.bind(watermarks);
    watermarks.read = (key) => {
      count++;
      return read(key);
    };
    const effects: string[] = [];
    const run = consumeStreamWithWatermarks(stream, {
      watermarks,
      groupId: 'g',
      handler: ({ message }) => {
        effects.push(message.offset);
      },
    });
    return { stream, watermarks, reads: () => count, effects, run };
  }

  it('writes the watermark per batch, commits, and reads it again after a group join', async () => {
    const { stream, watermarks, reads, effects, run } = watermarkRun();
    stream.push(...range(0, 3));
    await until(() => effects.length === 3);
    await sleep(5);
    stream.push(...range(3, 2));
    await until(() => effects.length === 5);
    await sleep(5);
    expect(reads()).toBe(1); // the second batch started right after the remembered watermark
    stream.consumer.rejoin([0, 1]);
    stream.push(...range(5, 1, { generationId: 2 }));
    await until(() => effects.length === 6);
    await run.stop();
    expect(reads()).toBe(2);
    expect((await watermarks.read(run.watermarkKey('t', 0)))?.offset).toBe('5');
    expect(stream.consumer.committed()).toEqual({ 0: 6 });
  });

  it('forgets remembered watermarks when partitions are revoked without a join (the consumer group protocol)', async () => {
    const { stream, reads, effects, run } = watermarkRun();
    stream.push(...range(0, 3));
    await until(() => effects.length === 3);
    await sleep(5);
    // Partition 0 goes away and comes back: meanwhile another member may have run it.
    stream.consumer.reassign([1]);
    stream.consumer.reassign([0, 1]);
    stream.push(...range(3, 2));
    await until(() => effects.length === 5);
    await run.stop();
    expect(reads()).toBe(2); // read again, not taken from what this member remembered
  });
});

describe('the stream runner', () => {
  /** Batches that hold until released, recorded by partition and size. */
  function heldBatches() {
    const taken: { partition: number; size: number }[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const process = async (batch: {
      partition: number;
      messages: readonly { offset: string }[];
      resolveOffset(offset: string): void;
    }) => {
      taken.push({ partition: batch.partition, size: batch.messages.length });
      await gate;
      for (const m of batch.messages) batch.resolveOffset(m.offset);
      return undefined;
    };
    return { taken, process, release };
  }
  const settings = (maxBatch: number, maxBuffered: number): RunnerSettings => ({
    retries: 0,
    retryDelayMs: 1,
    commit: true,
    onError: undefined,
    maxBatch,
    maxBuffered,
  });

  /** 100 messages on partition 0, batches of 10: the first batch held, the reader settled. */
  async function heldFirstBatch() {
    const stream = new FakeStream();
    const { taken, process, release } = heldBatches();
    const run = runStream(stream, process, settings(10, 1_000));
    stream.push(...range(0, 100));
    await until(() => taken.length === 1);
    await sleep(20);
    return { stream, taken, release, run };
  }

  it("stops reading while a partition has a batch's worth buffered behind a running one", async () => {
    const { stream, taken, release, run } = await heldFirstBatch();
    // The running batch's 10, and 10 more waiting: nothing else is read.
    expect(taken).toEqual([{ partition: 0, size: 10 }]);
    expect(stream.yielded).toBe(20);
    release();
    await until(() => stream.consumer.committed()[0] === 100);
    await run.stop();
  });

  it('reads on when a rebalance drops the partition whose full buffer it waited behind', async () => {
    const { stream, taken, release, run } = await heldFirstBatch();
    expect(stream.yielded).toBe(20); // waiting behind partition 0's next 10
    stream.consumer.rejoin([1]); // partition 0 moved to another member
    stream.push(...range(0, 5, { partition: 1, generationId: 2 }));
    release();
    // Partition 0's buffer is dropped with it; the reader must not wait on it any more.
    await until(() => stream.consumer.committed()[1] === 5);
    expect(taken).toEqual([
      { partition: 0, size: 10 },
      { partition: 1, size: 5 },
    ]);
    expect(stream.consumer.committed()[0]).toBeUndefined();
    await run.stop();
  });

  it('stops reading once the partitions together have the most buffered', async () => {
    const stream = new FakeStream();
    stream.consumer.assignments = [{ topic: 't', partitions: [0, 1, 2, 3, 4] }];
    const { taken, process, release } = heldBatches();
    const run = runStream(stream, process, settings(10, 25));
    // Round robin over five partitions, 40 each: no partition reaches its 10 before the total.
    stream.push(
      ...Array.from({ length: 200 }, (_, i) => raw(Math.floor(i / 5), { partition: i % 5 })),
    );
    await until(() => taken.length === 5);
    await sleep(20);
    const running = taken.reduce((sum, batch) => sum + batch.size, 0);
    expect(stream.yielded - running).toBe(25);
    release();
    const everyPartitionDone = () => {
      const next = Object.values(stream.consumer.committed());
      return next.length === 5 && next.every((offset) => offset === 40);
    };
    await until(everyPartitionDone);
    await run.stop();
  });
});
