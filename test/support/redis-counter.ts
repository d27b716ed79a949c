import type { RedisScriptClient } from '@oncely/redis';
import type { RequestCounter } from './request-counter.js';

/** Commands counted by name, as a {@link RequestCounter}: `total` is every command. */
export interface Tally extends RequestCounter {
  /** Adds `times` commands named `command`. */
  count(command: string, times?: number): void;
}

/**
 * A command tally, for clients counted by hand (a wrapper around each method).
 *
 * @example
 * const tally = commandTally();
 * tally.count('SET');
 * tally.byCommand(); // { SET: 1 }
 */
export function commandTally(): Tally {
  let counts = new Map<string, number>();
  return {
    get total() {
      return [...counts.values()].reduce((sum, value) => sum + value, 0);
    },
    count(command, times = 1) {
      counts.set(command, (counts.get(command) ?? 0) + times);
    },
    byCommand: () => Object.fromEntries(counts),
    reset() {
      counts = new Map();
    },
  };
}

/**
 * A {@link RedisScriptClient} that counts what the store sends through it; a
 * `RequestCounter` too (its `total` is the commands), for the bench's phases.
 */
export interface CountingClient extends RedisScriptClient, RequestCounter {
  /** Round trips: one per `runScripts` (a pipeline), `hgetall` or `del`. */
  readonly roundTrips: number;
}

/**
 * Wraps `inner` (an adapted client) and counts its round trips and commands (one per
 * script call, `hgetall` or `del`): what the store's interface promises, one round trip
 * per call, whatever the batch size.
 *
 * @example
 * const client = countingClient(fromNodeRedis(redis));
 * await new RedisStore({ client }).claim(...);
 * client.roundTrips; // 1
 */
export function countingClient(inner: RedisScriptClient): CountingClient {
  const tally = commandTally();
  let roundTrips = 0;
  const sent = (command: string, times = 1) => {
    roundTrips++;
    tally.count(command, times);
  };
  return {
    // The inner client's own say: counting changes nothing about where calls go.
    ...(inner.cluster === undefined ? {} : { cluster: inner.cluster }),
    get roundTrips() {
      return roundTrips;
    },
    get total() {
      return tally.total;
    },
    byCommand: tally.byCommand,
    reset() {
      roundTrips = 0;
      tally.reset();
    },
    runScripts(calls, mode) {
      sent(mode.toUpperCase(), calls.length);
      return inner.runScripts(calls, mode);
    },
    hgetall(key) {
      sent('HGETALL');
      return inner.hgetall(key);
    },
    del(key) {
      sent('DEL');
      return inner.del(key);
    },
  };
}
