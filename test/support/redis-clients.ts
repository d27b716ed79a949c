/**
 * The Redis clients the tests run the store on, each connected to a URL, with a random key
 * prefix per store and a cleanup that deletes that prefix's keys (SCAN + DEL), so runs on
 * the shared server never see each other's records.
 */
import { randomUUID } from 'node:crypto';
import { fromIoredis, fromNodeRedis, type RedisScriptClient } from '@oncely/redis';
import { Redis } from 'ioredis';
import { Redis as Redis5 } from 'ioredis-v5';
import { Valkey } from 'iovalkey';
import { createClient } from 'redis';
import { createClient as createClient4 } from 'redis-v4';

/** A connected client of one family, as the store takes it, and how to close it. */
export interface TestClient {
  /** The client family, for test names. */
  readonly family: ClientFamily;
  /** The client as a user passes it to `RedisStore`. */
  readonly native: object;
  /** The same client through the store's interface. */
  readonly scripts: RedisScriptClient;
  /** `PTTL key`: ms until the key expires (-1 without an expiry, -2 when absent). */
  pttl(key: string): Promise<number>;
  /** Every key under `prefix`, by SCAN. */
  keys(prefix: string): Promise<string[]>;
  /** Deletes every key under `prefix`. */
  dropPrefix(prefix: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * The client families the store supports, each run by the conformance suite: the current
 * majors, and the oldest ones the peer ranges allow (`redis` 4, `ioredis` 5), installed
 * under the aliases `redis-v4` and `ioredis-v5`.
 */
export const CLIENT_FAMILIES = [
  'node-redis',
  'ioredis',
  'iovalkey',
  'node-redis@4',
  'ioredis@5',
] as const;
export type ClientFamily = (typeof CLIENT_FAMILIES)[number];

/** How a test client behaves when the server is in trouble. */
export interface ClientOptions {
  /** Fail commands while disconnected rather than queue them until the server is back. */
  readonly failFast?: boolean;
  /** Give up on a command after this many ms (the clients wait forever by default). */
  readonly timeoutMs?: number;
}

/** A fresh prefix for one store, e.g. `oncely-test:1a2b3c4d:`. */
export function testPrefix(): string {
  return `oncely-test:${randomUUID().slice(0, 8)}:`;
}

/** Connects a client of `family` to `url`. */
export async function connectClient(
  family: ClientFamily,
  url: string,
  options: ClientOptions = {},
): Promise<TestClient> {
  if (family === 'node-redis') return nodeRedis(url, options);
  if (family === 'node-redis@4') return nodeRedis4(url);
  return ioredisFamily(family, url, options);
}

/** node-redis 4: the same commands; SCAN yields single keys, and `disconnect` closes. */
async function nodeRedis4(url: string): Promise<TestClient> {
  const client = createClient4({ url });
  client.on('error', () => {});
  await client.connect();
  return testClient({
    family: 'node-redis@4',
    native: client,
    scripts: fromNodeRedis(client),
    pttl: (key) => client.pTTL(key),
    async keys(prefix) {
      const found: string[] = [];
      for await (const key of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) {
        found.push(key);
      }
      return found;
    },
    del: (keys) => client.del(keys),
    close: () => client.disconnect(),
  });
}

async function nodeRedis(url: string, { failFast, timeoutMs }: ClientOptions): Promise<TestClient> {
  const client = createClient({
    url,
    ...(timeoutMs === undefined ? {} : { commandOptions: { timeout: timeoutMs } }),
    ...(failFast
      ? {
          disableOfflineQueue: true,
          socket: { reconnectStrategy: () => 50, connectTimeout: 1_000 },
        }
      : {}),
  });
  // An unhandled 'error' event would crash the worker while the server is down.
  client.on('error', () => {});
  await client.connect();
  return testClient({
    family: 'node-redis',
    native: client,
    scripts: fromNodeRedis(client),
    pttl: (key) => client.pTTL(key),
    async keys(prefix) {
      const found: string[] = [];
      for await (const batch of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) {
        found.push(...batch);
      }
      return found;
    },
    del: (keys) => client.del(keys),
    async close() {
      if (client.isOpen) client.destroy();
    },
  });
}

async function ioredisFamily(
  family: 'ioredis' | 'iovalkey' | 'ioredis@5',
  url: string,
  { failFast, timeoutMs }: ClientOptions,
): Promise<TestClient> {
  const options = {
    lazyConnect: true,
    ...(timeoutMs === undefined ? {} : { commandTimeout: timeoutMs }),
    ...(failFast
      ? { enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => 50 }
      : {}),
  };
  // Copies of one API: the tests drive them all through the same calls.
  const client = (
    family === 'ioredis'
      ? new Redis(url, options)
      : family === 'ioredis@5'
        ? new Redis5(url, options)
        : new Valkey(url, options)
  ) as Redis;
  client.on('error', () => {});
  await client.connect();
  return testClient({
    family,
    native: client,
    scripts: fromIoredis(client),
    pttl: (key) => client.pttl(key),
    async keys(prefix) {
      const found: string[] = [];
      let cursor = '0';
      do {
        const [next, batch] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
        cursor = next;
        found.push(...batch);
      } while (cursor !== '0');
      return found;
    },
    del: (keys) => client.del(...keys),
    async close() {
      client.disconnect();
    },
  });
}

/** A {@link TestClient} from a family's own calls: `dropPrefix` is `keys`, then one `del`. */
function testClient(
  parts: Omit<TestClient, 'dropPrefix'> & { del(keys: string[]): Promise<unknown> },
): TestClient {
  const { del, ...client } = parts;
  return {
    ...client,
    async dropPrefix(prefix) {
      const found = await client.keys(prefix);
      if (found.length > 0) await del(found);
    },
  };
}
