import { exampleUnder, quickStart, runTypeScript } from '@oncely/test-support/readme';
import { connectClient } from '@oncely/test-support/redis-clients';
import { describeWithServers, redisUrl } from '@oncely/test-support/servers';
import { afterAll, expect, it } from 'vitest';

const README = new URL('../README.md', import.meta.url);
/** The prefix both examples write under; the records are removed after the run. */
const EXAMPLE_PREFIX = 'oncely-quickstart:';

describeWithServers('the README examples', () => {
  afterAll(async () => {
    const client = await connectClient('node-redis', redisUrl());
    await client.dropPrefix(EXAMPLE_PREFIX);
    await client.close();
  });

  it('runs the quick start (node-redis) as written and charges once for three deliveries', async () => {
    const { code } = await quickStart(README);
    expect(code).toContain(`keyPrefix: '${EXAMPLE_PREFIX}'`);
    const stdout = await runTypeScript(code, {
      name: 'redis-quick-start',
      env: { REDIS_URL: redisUrl() },
    });
    expect(stdout).toMatch(/delivery 1: processed/);
    expect(stdout).toMatch(/delivery 2: duplicate \{ chargeId: 'ch_\w+', amount: 4200 \}/);
    expect(stdout).toMatch(/delivery 3: duplicate/);
    expect(stdout).toMatch(/charged 1 time\(s\)/);
  });

  it('runs the ioredis example as written', async () => {
    const code = await exampleUnder(README, '### ioredis and iovalkey');
    expect(code).toContain(`keyPrefix: '${EXAMPLE_PREFIX}'`);
    const stdout = await runTypeScript(code, {
      name: 'redis-ioredis',
      env: { REDIS_URL: redisUrl() },
    });
    expect(stdout.trim()).toBe('processed duplicate');
  });
});
