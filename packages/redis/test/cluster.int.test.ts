import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDeduper } from '@oncely/core';
import { countingClient } from '@oncely/test-support/redis-counter';
import { type RedisServer, startRedisServer } from '@oncely/test-support/redis-server';
import { describeWithServers } from '@oncely/test-support/servers';
import { Cluster } from 'ioredis';
import { createCluster } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromIoredis, fromNodeRedis, type RedisScriptClient, RedisStore } from '../src/index.js';

/**
 * A Redis Cluster of one node (every slot on it): enough to show the cluster path, because
 * the server refuses a script call over keys of different slots (`CROSSSLOT`) however
 * many nodes there are. The store must tell the cluster clients apart and send one call
 * per key there; the standalone path (one call per batch) would be refused.
 */
describeWithServers('RedisStore on a Redis Cluster client', () => {
  let server: RedisServer;
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'oncely-cluster-'));
    server = await startRedisServer({
      args: [
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        join(dir, 'nodes.conf'),
        // Else the node announces an empty address, which ioredis cannot connect to.
        '--cluster-announce-ip',
        '127.0.0.1',
      ],
    });
    await server.command('CLUSTER ADDSLOTSRANGE 0 16383');
    for (let attempt = 0; attempt < 100; attempt++) {
      if ((await server.command('CLUSTER INFO')).includes('cluster_state:ok')) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  });
  afterAll(async () => {
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const families: {
    name: string;
    connect(
      url: string,
    ): Promise<{ scripts: RedisScriptClient; native: object; close(): Promise<void> }>;
  }[] = [
    {
      name: 'node-redis createCluster',
      async connect(url) {
        const cluster = createCluster({ rootNodes: [{ url }] });
        cluster.on('error', () => {});
        await cluster.connect();
        return { scripts: fromNodeRedis(cluster), native: cluster, close: () => cluster.close() };
      },
    },
    {
      name: 'ioredis Cluster',
      async connect(url) {
        const { hostname, port } = new URL(url);
        const cluster = new Cluster([{ host: hostname, port: Number(port) }], {
          enableAutoPipelining: true,
        });
        await new Promise<void>((resolve, reject) => {
          cluster.once('ready', resolve);
          cluster.once('error', reject);
        });
        return {
          scripts: fromIoredis(cluster),
          native: cluster,
          close: async () => {
            cluster.disconnect();
          },
        };
      },
    },
  ];

  for (const family of families) {
    describe(family.name, () => {
      it('is recognised as a cluster client, and a batch goes one call per key', async () => {
        const client = await family.connect(server.url);
        try {
          expect(new RedisStore({ client: client.native as never }).cluster).toBe(true);
          const counter = countingClient(client.scripts);
          const store = new RedisStore({ client: counter, keyPrefix: `cluster-${randomUUID()}:` });
          expect(store.cluster).toBe(true);
          const deduper = createDeduper({ store, namespace: 'n', storeResult: true });
          // The node's first sight of the scripts (NOSCRIPT, then EVAL), left out of the counts.
          await deduper.run(randomUUID(), () => 'warm-up');
          counter.reset();
          const keys = Array.from({ length: 10 }, () => randomUUID());
          const first = await Promise.all(keys.map((key) => deduper.run(key, () => ({ key }))));
          expect(first.map((outcome) => outcome.status)).toEqual(keys.map(() => 'processed'));
          // Ten claims and ten completions, each its own call on its own key's slot.
          expect(counter.byCommand()).toEqual({ EVALSHA: 20 });
          counter.reset();
          const again = await Promise.all(keys.map((key) => deduper.run(key, () => 'again')));
          expect(again.map((outcome) => outcome.result)).toEqual(keys.map((key) => ({ key })));
          expect(counter.byCommand()).toEqual({ EVALSHA: 10 });
        } finally {
          await client.close();
        }
      });

      it('would be refused (CROSSSLOT) if a batch went as one call', async () => {
        const client = await family.connect(server.url);
        try {
          const store = new RedisStore({ client: client.scripts, cluster: false });
          const now = Date.now();
          const results = await store.claimMany(
            ['a', 'b', 'c'].map((key) => ({ key: `n#${key}`, leaseMs: 1000, ttlMs: 60_000, now })),
          );
          expect(results.map((result) => result.status)).toEqual([
            'rejected',
            'rejected',
            'rejected',
          ]);
          expect(String((results[0] as PromiseRejectedResult).reason.cause?.message)).toMatch(
            /CROSSSLOT|same slot/,
          );
        } finally {
          await client.close();
        }
      });
    });
  }
});
