import type { RedisScriptClient } from '@oncely/redis';

/**
 * A {@link RedisScriptClient} that counts what the store sends through it; a
 * `RequestCounter` too (its `total` is the commands), for the bench's phases.
 */
export interface CountingClient extends RedisScriptClient {
  /** Round trips: one per `runScripts` (a pipeline), `hgetall` or `del`. */
  readonly roundTrips: number;
  /** Commands: one per script call, `hgetall` or `del`. */
  readonly total: number;
  /** Commands by name, e.g. `{ EVALSHA: 10, EVAL: 1 }`. */
  byCommand(): Record<string, number>;
  reset(): void;
}

/**
 * Wraps `inner` (an adapted client) and counts its round trips and commands: what the
 * store's interface promises, one round trip per call, whatever the batch size.
 *
 * @example
 * const client = countingClient(fromNodeRedis(redis));
 * await new RedisStore({ client }).claim(...);
 * client.roundTrips; // 1
 */
export function countingClient(inner: RedisScriptClient): CountingClient {
  let roundTrips = 0;
  let counts = new Map<string, number>();
  const count = (command: string, times = 1) => {
    counts.set(command, (counts.get(command) ?? 0) + times);
  };
  return {
    get roundTrips() {
      return roundTrips;
    },
    get total() {
      return [...counts.values()].reduce((sum, value) => sum + value, 0);
    },
    byCommand: () => Object.fromEntries(counts),
    reset() {
      roundTrips = 0;
      counts = new Map();
    },
    runScripts(calls, mode) {
      roundTrips++;
      count(mode.toUpperCase(), calls.length);
      return inner.runScripts(calls, mode);
    },
    hgetall(key) {
      roundTrips++;
      count('HGETALL');
      return inner.hgetall(key);
    },
    del(key) {
      roundTrips++;
      count('DEL');
      return inner.del(key);
    },
  };
}
