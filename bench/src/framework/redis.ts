import { type RedisServer, startRedisServer } from '@oncely/test-support/redis-server';

/** A private Redis for one scenario, and the round trips it has served. */
export interface BenchRedis {
  readonly url: string;
  /**
   * Read events the server has processed, less the ones this meter's own `INFO` calls
   * caused: one per pipeline or lone command a client wrote, so it counts round trips
   * however a client batches (node-redis merges the commands of one event-loop turn).
   */
  roundTrips(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * Starts a private `redis-server` (a free port, nothing on disk) for a scenario: the
 * contenders run on the same server, one at a time, and nothing else talks to it, so its
 * counters are theirs.
 *
 * @example
 * const redis = await startBenchRedis();
 * try { ... redis.url ... await redis.roundTrips() ... } finally { await redis.stop(); }
 */
export async function startBenchRedis(): Promise<BenchRedis> {
  let server: RedisServer;
  try {
    server = await startRedisServer();
  } catch (error) {
    throw new Error(
      `the Redis scenarios start their own redis-server: install it (apt-get install redis-server) or set REDIS_SERVER_BIN (${(error as Error).message})`,
    );
  }
  let infoCalls = 0;
  return {
    url: server.url,
    async roundTrips() {
      const stats = await server.stats();
      infoCalls++;
      return (stats.total_reads_processed ?? 0) - infoCalls;
    },
    stop: () => server.stop(),
  };
}
