import { createDeduper, InvalidOptionError } from '@oncely/core';
import { describe, expect, it } from 'vitest';
import {
  fromIoredis,
  type IoredisLike,
  type NodeRedisLike,
  REDIS_STORE_DEFAULTS,
  type RedisScriptClient,
  RedisStore,
  type RedisStoreOptions,
} from '../src/index.js';

/** A node-redis-shaped fake that records what it was asked. */
function fakeNodeRedis(sent: string[]): NodeRedisLike {
  return {
    evalSha: async (sha, { keys }) => {
      sent.push(`EVALSHA ${sha.slice(0, 8)} ${keys.join(' ')}`);
      return keys.map(() => ['claimed']);
    },
    eval: async () => ['claimed'],
    hGetAll: async (key) => {
      sent.push(`HGETALL ${key}`);
      // A RESP3 type mapping answers a Map; this record's window ended at 1 s.
      return new Map([
        ['status', 'COMPLETED'],
        ['token', 't'],
        ['leaseUntil', '0'],
        ['expiresAt', '1'],
      ]);
    },
    del: async (key) => sent.push(`DEL ${key}`),
  };
}

/** An ioredis-shaped fake: single calls, and a pipeline whose replies `exec` answers. */
function fakeIoredis(sent: string[], execReplies: [Error | null, unknown][] = []): IoredisLike {
  const pipeline = () => {
    const queued: string[] = [];
    return {
      evalsha: (sha: string, numKeys: number, ...rest: string[]) =>
        queued.push(`EVALSHA ${sha.slice(0, 8)} ${rest.slice(0, numKeys).join(' ')}`),
      eval: () => queued.push('EVAL'),
      exec: async () => {
        sent.push(`PIPELINE ${queued.join(', ')}`);
        return execReplies;
      },
    };
  };
  return {
    evalsha: async (sha, numKeys, ...rest) => {
      sent.push(`EVALSHA ${sha.slice(0, 8)} ${rest.slice(0, numKeys).join(' ')}`);
      return rest.slice(0, numKeys).map(() => ['claimed']);
    },
    eval: async () => ['claimed'],
    pipeline,
    hgetall: async (key) => {
      sent.push(`HGETALL ${key}`);
      return {};
    },
    del: async (key) => sent.push(`DEL ${key}`),
  };
}

function optionError(options: unknown): InvalidOptionError {
  try {
    new RedisStore(options as RedisStoreOptions);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidOptionError);
    return error as InvalidOptionError;
  }
  throw new Error('expected the options to be refused');
}

describe('RedisStore options', () => {
  const client = fakeNodeRedis([]);

  it.each([
    ['options', null],
    ['client', {}],
    ['client', { client: 'redis://127.0.0.1:6379' }],
    ['client', { client: { get: () => null, set: () => null } }],
    ['keyPrefix', { client, keyPrefix: 42 }],
    ['keyPrefix', { client, keyPrefix: '{oncely}:' }],
    ['keyPrefix', { client, keyPrefix: 'x'.repeat(1025) }],
    ['maxResultBytes', { client, maxResultBytes: 0 }],
    ['maxResultBytes', { client, maxResultBytes: 1.5 }],
    ['maxResultBytes', { client, maxResultBytes: 513 * 1024 * 1024 }],
    ['cluster', { client, cluster: 'yes' }],
  ])('refuses a bad %s at construction', (option, options) => {
    const error = optionError(options);
    expect(error.option).toBe(option);
    expect(error.message).toContain(`\`${option}\``);
  });

  it('has its defaults in REDIS_STORE_DEFAULTS, and a name that says where the records are', () => {
    const store = new RedisStore({ client });
    expect(store.keyPrefix).toBe(REDIS_STORE_DEFAULTS.keyPrefix);
    expect(store.maxResultBytes).toBe(REDIS_STORE_DEFAULTS.maxResultBytes);
    expect(store.name).toBe('redis:oncely:');
    expect(store.redisKey('payments#evt_1')).toBe('oncely:payments#evt_1');
    expect(new RedisStore({ client, keyPrefix: '' }).redisKey('n#k')).toBe('n#k');
  });

  it('lets a deduper keep results up to the store’s cap, and refuses more', () => {
    const store = new RedisStore({ client, maxResultBytes: 4096 });
    expect(() => createDeduper({ store, namespace: 'n', maxResultBytes: 4096 })).not.toThrow();
    expect(() => createDeduper({ store, namespace: 'n', maxResultBytes: 4097 })).toThrow(
      InvalidOptionError,
    );
  });
});

describe('RedisStore clients', () => {
  it('recognises a node-redis client and sends by SHA under the prefix', async () => {
    const sent: string[] = [];
    const store = new RedisStore({ client: fakeNodeRedis(sent), keyPrefix: 'app:' });
    await store.claim('n#k', { leaseMs: 1000, ttlMs: 60_000, now: 0 });
    expect(await store.get('n#k', { now: 0 })).toMatchObject({ status: 'COMPLETED', token: 't' });
    expect(await store.get('n#k', { now: 1000 })).toBeUndefined();
    await store.delete('n#k');
    expect(sent).toEqual([
      expect.stringMatching(/^EVALSHA [0-9a-f]{8} app:n#k$/),
      'HGETALL app:n#k',
      'HGETALL app:n#k',
      'DEL app:n#k',
    ]);
  });

  it('sends a batch on a standalone client as one call over its keys, each key answered alone', async () => {
    const sent: string[] = [];
    const client = {
      ...fakeIoredis(sent),
      evalsha: async (sha: string, numKeys: number, ...rest: string[]) => {
        sent.push(`EVALSHA ${sha.slice(0, 8)} ${rest.slice(0, numKeys).join(' ')}`);
        return [
          ['claimed'],
          ['error', 'WRONGTYPE Operation against a key holding the wrong kind of value'],
        ];
      },
    };
    const store = new RedisStore({ client });
    expect(store.cluster).toBe(false);
    const results = await store.claimMany(
      ['n#a', 'n#b'].map((key) => ({ key, leaseMs: 1000, ttlMs: 60_000, now: 0 })),
    );
    expect(sent).toEqual([expect.stringMatching(/^EVALSHA \w{8} oncely:n#a oncely:n#b$/)]);
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected']);
    expect((results[1] as PromiseRejectedResult).reason).toMatchObject({
      storeKey: 'n#b',
      retryable: false,
    });
  });

  it('sends one call per key on a cluster client: a lone call alone, several in one pipeline', async () => {
    const sent: string[] = [];
    const replies: [Error | null, unknown][] = [
      [null, [['claimed']]],
      [new Error('WRONGTYPE Operation against a key holding the wrong kind of value'), null],
    ];
    // A standalone ioredis told it is a cluster's (a sharding proxy): the per-key path.
    const store = new RedisStore({ client: fakeIoredis(sent, replies), cluster: true });
    await store.claim('n#a', { leaseMs: 1000, ttlMs: 60_000, now: 0 });
    const results = await store.claimMany(
      ['n#a', 'n#b'].map((key) => ({ key, leaseMs: 1000, ttlMs: 60_000, now: 0 })),
    );
    expect(sent).toEqual([
      expect.stringMatching(/^EVALSHA \w{8} oncely:n#a$/),
      expect.stringMatching(/^PIPELINE EVALSHA \w{8} oncely:n#a, EVALSHA \w{8} oncely:n#b$/),
    ]);
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected']);
  });

  it('tells cluster clients from standalone ones', () => {
    const node = fakeNodeRedis([]);
    expect(new RedisStore({ client: node }).cluster).toBe(false);
    expect(new RedisStore({ client: { ...node, nodeClient: () => node } }).cluster).toBe(true);
    expect(new RedisStore({ client: fakeIoredis([]) }).cluster).toBe(false);
    expect(new RedisStore({ client: { ...fakeIoredis([]), isCluster: true } }).cluster).toBe(true);
    expect(new RedisStore({ client: node, cluster: true }).cluster).toBe(true);
  });

  it('sends a Cluster’s calls side by side (its pipelines refuse keys of several slots)', async () => {
    const sent: string[] = [];
    const cluster = { ...fakeIoredis(sent), isCluster: true };
    const replies = await fromIoredis(cluster).runScripts(
      ['a', 'b'].map((key) => ({ sha: 'f'.repeat(40), source: '', keys: [key], args: [] })),
      'evalsha',
    );
    expect(sent).toEqual(['EVALSHA ffffffff a', 'EVALSHA ffffffff b']);
    expect(replies.map((reply) => reply.status)).toEqual(['fulfilled', 'fulfilled']);
  });

  it('takes a RedisScriptClient of your own as it is, per key unless it says standalone', async () => {
    const calls: number[] = [];
    const own: RedisScriptClient = {
      runScripts: async (sent) => {
        calls.push(...sent.map((call) => call.keys.length));
        return sent.map((call) => ({ status: 'fulfilled', value: call.keys.map(() => ['ok']) }));
      },
      hgetall: async () => ({}),
      del: async () => 0,
    };
    const store = new RedisStore({ client: own });
    expect(store.client).toBe(own);
    expect(store.cluster).toBe(true);
    expect(await store.release('n#k', 't')).toEqual({ ok: true });
    await store.releaseMany([
      { key: 'n#a', token: 't' },
      { key: 'n#b', token: 't' },
    ]);
    await new RedisStore({ client: { ...own, cluster: false } }).releaseMany([
      { key: 'n#a', token: 't' },
      { key: 'n#b', token: 't' },
    ]);
    expect(calls).toEqual([1, 1, 1, 2]);
  });
});
