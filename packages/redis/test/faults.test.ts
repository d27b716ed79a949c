import { InProgressError, StoreError } from '@oncely/core';
import { MaxRetriesPerRequestError } from 'ioredis/built/errors/index.js';
import { ClientOfflineError, SocketClosedUnexpectedlyError, TimeoutError } from 'redis';
import { describe, expect, it } from 'vitest';
import { isRetryableRedisError, type RedisScriptClient, RedisStore } from '../src/index.js';

const reply = (message: string) => Object.assign(new Error(message), { name: 'ReplyError' });
const socket = (code: string) => Object.assign(new Error(`connect ${code}`), { code });

const RETRYABLE: [string, unknown][] = [
  [
    'LOADING (a restart loading its dataset)',
    reply('LOADING Redis is loading the dataset in memory'),
  ],
  ['BUSY (a long script)', reply('BUSY Redis is busy running a script.')],
  [
    'READONLY (a replica after failover)',
    reply("READONLY You can't write against a read only replica."),
  ],
  ['OOM', reply("OOM command not allowed when used memory > 'maxmemory'.")],
  ['CLUSTERDOWN', reply('CLUSTERDOWN The cluster is down')],
  ['TRYAGAIN (resharding)', reply('TRYAGAIN Multiple keys request during rehashing of slot')],
  ['MOVED', reply('MOVED 3999 127.0.0.1:6381')],
  ['ASK', reply('ASK 3999 127.0.0.1:6381')],
  ['MASTERDOWN', reply('MASTERDOWN Link with MASTER is down')],
  ['a refused connection', socket('ECONNREFUSED')],
  ['a reset connection, as cause', new Error('write failed', { cause: socket('ECONNRESET') })],
  ['AggregateError of refused addresses', new AggregateError([socket('ECONNREFUSED')], 'connect')],
  ['node-redis: socket closed', new SocketClosedUnexpectedlyError()],
  ['node-redis: offline (no queue)', new ClientOfflineError()],
  ['node-redis: command timeout', new TimeoutError()],
  ['ioredis: max retries per request', new MaxRetriesPerRequestError(1)],
  ['ioredis: connection closed', new Error('Connection is closed.')],
  ['ioredis: command timed out', new Error('Command timed out')],
  [
    'ioredis: offline (no queue)',
    new Error("Stream isn't writeable and enableOfflineQueue options is false"),
  ],
];

const FINAL: [string, unknown][] = [
  [
    'WRONGTYPE (someone else’s key)',
    reply('WRONGTYPE Operation against a key holding the wrong kind of value'),
  ],
  [
    'a script error',
    reply('ERR user_script:1: Script attempted to access nonexistent global variable'),
  ],
  ['NOAUTH', reply('NOAUTH Authentication required.')],
  ['NOPERM', reply("NOPERM User default has no permissions to run the 'evalsha' command")],
  ['node-redis: client closed by the application', new Error('The client is closed')],
  ['a plain value', 'boom'],
  ['nothing', undefined],
];

describe('isRetryableRedisError', () => {
  it.each(RETRYABLE)('retries %s', (_, error) => {
    expect(isRetryableRedisError(error)).toBe(true);
  });
  it.each(FINAL)('does not retry %s', (_, error) => {
    expect(isRetryableRedisError(error)).toBe(false);
  });
});

/** A client whose every call fails with `error`. */
function failing(error: unknown): RedisScriptClient {
  return {
    runScripts: async () => {
      throw error;
    },
    hgetall: async () => {
      throw error;
    },
    del: async () => {
      throw error;
    },
  };
}

describe('RedisStore errors', () => {
  const cause = reply('LOADING Redis is loading the dataset in memory');
  const store = new RedisStore({ client: failing(cause) });
  const now = 1_000;

  it.each([
    ['claim', () => store.claim('n#k', { leaseMs: 1, ttlMs: 1, now })],
    ['complete', () => store.complete('n#k', 't', { ttlMs: 1, now })],
    ['release', () => store.release('n#k', 't')],
    ['extendLease', () => store.extendLease('n#k', 't', { leaseMs: 1, now })],
    ['get', () => store.get('n#k', { now })],
    ['delete', () => store.delete('n#k')],
  ] as const)(
    '%s throws a StoreError with the operation, key, cause and retryable',
    async (operation, call) => {
      const error = await call().catch((reason: unknown) => reason);
      expect(error).toBeInstanceOf(StoreError);
      expect(error).toMatchObject({ operation, storeKey: 'n#k', retryable: true, cause });
      expect((error as Error).message).toContain('redis:oncely:');
    },
  );

  it('rejects every item of a batch whose whole call failed, each with its own key', async () => {
    const results = await store.completeMany([
      { key: 'n#a', token: 't', ttlMs: 1, now },
      { key: 'n#b', token: 't', ttlMs: 1, now },
    ]);
    expect(results.map((result) => result.status === 'rejected' && result.reason.storeKey)).toEqual(
      ['n#a', 'n#b'],
    );
  });

  it('passes oncely’s own errors through unchanged', async () => {
    const own = new InProgressError('held', 5, { storeKey: 'n#k' });
    const error = await new RedisStore({ client: failing(own) })
      .claim('n#k', { leaseMs: 1, ttlMs: 1, now })
      .catch((reason: unknown) => reason);
    expect(error).toBe(own);
  });

  it('refuses a reply that is not the script’s, as a non-retryable StoreError', async () => {
    const odd: RedisScriptClient = {
      runScripts: async (calls) => calls.map(() => ({ status: 'fulfilled', value: 'OK' })),
      hgetall: async () => ({ status: 'DONE', token: 't', leaseUntil: '1', expiresAt: '1' }),
      del: async () => 1,
    };
    const strange = new RedisStore({ client: odd });
    await expect(strange.claim('n#k', { leaseMs: 1, ttlMs: 1, now })).rejects.toMatchObject({
      name: 'StoreError',
      retryable: false,
    });
    await expect(strange.get('n#k', { now })).rejects.toMatchObject({
      operation: 'get',
      retryable: false,
      message: expect.stringContaining('status'),
    });
  });
});
