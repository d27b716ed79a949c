/**
 * The built `oncely` binary against the real stores: DynamoDB Local and PostgreSQL.
 * Records are seeded through the stores themselves (`claim`, `complete` with chosen
 * clocks), so the CLI reads exactly what a deduper writes.
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import {
  CreateTableCommand,
  DeleteTableCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import type { DedupStore } from '@oncely/core';
import { DynamoDBStore } from '@oncely/dynamodb';
import { createTable as createPostgresTable, PostgresStore } from '@oncely/postgres';
import { RedisStore } from '@oncely/redis';
import {
  describeWithServers,
  dynamoClient,
  dynamodbEndpoint,
  postgresUrl,
  redisUrl,
} from '@oncely/test-support/servers';
import pg from 'pg';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BinRun, buildCli, LOCAL_AWS_ENV, oncely } from './binary.js';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const RESULT = '{"chargeId":"ch_1"}';

beforeAll(buildCli, 180_000);

/** A store under test: its URL for the CLI and the store to seed and check through. */
interface Target {
  readonly url: string;
  readonly store: DedupStore;
  /** A URL of the same store kind whose table does not exist (Redis has no table). */
  readonly missingTableUrl?: string;
  /** How the CLI names the table in messages. */
  readonly shown: string;
}

/** Seeds one namespace: a stuck claim, a live claim, two completed records, an expired one. */
async function seed(store: DedupStore, namespace: string, now: number): Promise<void> {
  await store.claim(`${namespace}#stuck-1`, {
    now: now - 10 * MINUTE,
    leaseMs: MINUTE,
    ttlMs: DAY,
  });
  await store.claim(`${namespace}#live-1`, { now, leaseMs: 10 * MINUTE, ttlMs: DAY });
  for (const key of ['done-1', 'done-2']) {
    const claim = await store.claim(`${namespace}#${key}`, { now, leaseMs: MINUTE, ttlMs: DAY });
    if (claim.kind !== 'claimed') throw new Error(`seeding ${key}: ${claim.kind}`);
    await store.complete(`${namespace}#${key}`, claim.token, { now, ttlMs: DAY, result: RESULT });
  }
  await store.claim(`${namespace}#old-1`, { now: now - 3 * DAY, leaseMs: MINUTE, ttlMs: DAY });
}

function oneLine(run: BinRun): string {
  expect(run.stderr.trim().split('\n')).toHaveLength(1);
  return run.stderr.trim();
}

/** The commands every store must answer the same way. */
function describeCommands(name: string, open: () => Promise<Target & { close(): Promise<void> }>) {
  describe(`oncely on ${name}`, () => {
    let target: Target & { close(): Promise<void> };
    const ns = `cli-${randomUUID().slice(0, 8)}`;
    const other = `${ns}-other`;
    const env = () => ({ ...LOCAL_AWS_ENV, ONCELY_STORE: target.url });
    const run = (...args: string[]) => oncely(args, { env: env() });

    beforeAll(async () => {
      target = await open();
      const now = Date.now();
      await seed(target.store, ns, now);
      await target.store.claim(`${other}#stuck-9`, {
        now: now - 10 * MINUTE,
        leaseMs: MINUTE,
        ttlMs: DAY,
      });
    });
    afterAll(() => target?.close());

    it('inspect shows a completed record: status, expiry, token, result size', async () => {
      const record = await target.store.get(`${ns}#done-1`, { now: Date.now() });
      const shown = await run('inspect', 'done-1', '--namespace', ns);
      expect(shown.code).toBe(0);
      expect(shown.stderr).toBe('');
      expect(shown.stdout).toMatch(new RegExp(`^key +${ns}#done-1$`, 'm'));
      expect(shown.stdout).toMatch(/^status +COMPLETED$/m);
      expect(shown.stdout).toMatch(/^lease +-$/m);
      expect(shown.stdout).toMatch(
        /^expires +\d{4}-\d\d-\d\dT.*Z \(in 2\dh|^expires +\d{4}-\d\d-\d\dT.*Z \(in 1d/m,
      );
      expect(shown.stdout).toMatch(new RegExp(`^token +${record?.token}$`, 'm'));
      expect(shown.stdout).toMatch(/^result +19 bytes$/m);
    });

    it('inspect --json gives the record with its computed fields', async () => {
      const shown = await run('inspect', 'stuck-1', '--namespace', ns, '--json');
      expect(shown.code).toBe(0);
      const json = JSON.parse(shown.stdout);
      expect(json).toMatchObject({
        storeKey: `${ns}#stuck-1`,
        status: 'IN_PROGRESS',
        stuck: true,
        resultBytes: null,
      });
      expect(json.leaseRemainingMs).toBeLessThan(-8 * MINUTE);
    });

    it('inspect tells a stuck lease, and takes a full store key without --namespace', async () => {
      const shown = await run('inspect', `${ns}#stuck-1`);
      expect(shown.code).toBe(0);
      expect(shown.stdout).toMatch(/^lease +ended 9m( \d+s)? ago \(stuck\)$/m);
      const live = await run('inspect', `${ns}#live-1`);
      expect(live.stdout).toMatch(/^lease +\d+m( \d+s)? left$/m);
    });

    it('inspect exits 3 for a key with no live record, absent or expired', async () => {
      for (const key of ['nope', 'old-1']) {
        const shown = await run('inspect', key, '--namespace', ns);
        expect(shown.code).toBe(3);
        expect(shown.stdout).toBe('');
        expect(oneLine(shown)).toBe(`oncely: no live record for "${ns}#${key}" in ${target.shown}`);
      }
    });

    it('list --status in-progress --stuck finds only the stuck claims of the namespace', async () => {
      const listed = await run(
        'list',
        '--status',
        'in-progress',
        '--stuck',
        '--namespace',
        ns,
        '--json',
      );
      expect(listed.code).toBe(0);
      const json = JSON.parse(listed.stdout);
      expect(json.records.map((record: { storeKey: string }) => record.storeKey)).toEqual([
        `${ns}#stuck-1`,
      ]);
      expect(json.complete).toBe(true);
      const everywhere = await run('list', '--stuck', '--json');
      const keys = JSON.parse(everywhere.stdout).records.map(
        (r: { storeKey: string }) => r.storeKey,
      );
      expect(keys).toEqual(expect.arrayContaining([`${ns}#stuck-1`, `${other}#stuck-9`]));
      expect(keys).not.toContain(`${ns}#live-1`);
    });

    it('list prints a table of the live records, without the expired one', async () => {
      const listed = await run('list', '--namespace', ns);
      expect(listed.code).toBe(0);
      const lines = listed.stdout.trimEnd().split('\n');
      expect(lines[0]).toMatch(/^KEY +STATUS +LEASE +EXPIRES +TOKEN$/);
      const keys = lines.slice(1, -1).map((line) => line.split(/ +/)[0]);
      expect(keys.sort()).toEqual(
        ['done-1', 'done-2', 'live-1', 'stuck-1'].map((k) => `${ns}#${k}`),
      );
      expect(lines.at(-1)).toMatch(/^4 records \(scanned \d+\)$/);
    });

    it('list --limit stops early and says more may exist', async () => {
      const listed = await run('list', '--status', 'completed', '--limit', '1', '--namespace', ns);
      expect(listed.code).toBe(0);
      expect(listed.stdout.trimEnd().split('\n')).toHaveLength(3);
      expect(listed.stdout).toMatch(
        /^1 record \(scanned \d+; more may exist: raise --limit or --sample\)$/m,
      );
    });

    it('stats counts by status, the stuck and the expired apart', async () => {
      const stats = await run('stats', '--namespace', ns, '--json');
      expect(stats.code).toBe(0);
      expect(JSON.parse(stats.stdout)).toMatchObject({
        inProgress: 2,
        stuck: 1,
        completed: 2,
        expired: 1,
        complete: true,
        sample: 10_000,
      });
      const human = await run('stats', '--namespace', ns, '--no-progress');
      expect(human.stdout).toMatch(/^IN_PROGRESS +2$/m);
      expect(human.stdout).toMatch(/^ {2}stuck +1$/m);
      expect(human.stdout).toMatch(/^COMPLETED +2$/m);
      expect(human.stdout).toMatch(/^expired +1$/m);
      expect(human.stdout).toMatch(/^scanned \d+ records: all of them$/m);
      expect(human.stderr).toBe('');
    });

    it('stats reads at most --sample records, and shows a progress bar on stderr with --progress', async () => {
      const stats = await run('stats', '--sample', '2', '--progress', '--json');
      expect(stats.code).toBe(0);
      const json = JSON.parse(stats.stdout);
      expect(json.scanned).toBeLessThanOrEqual(2);
      expect(json.complete).toBe(false);
      expect(stats.stderr).toMatch(/scanning .* \d\/2 records/);
    });

    it('release refuses without --yes when stdin is not a terminal, and keeps the record', async () => {
      const refused = await run('release', 'stuck-1', '--namespace', ns);
      expect(refused.code).toBe(2);
      expect(oneLine(refused)).toMatch(/refusing to release .* without --yes/);
      expect(await target.store.get(`${ns}#stuck-1`, { now: Date.now() })).toBeDefined();
    });

    it('release --yes deletes the record so the key can be claimed afresh', async () => {
      const released = await run('release', 'stuck-1', '--namespace', ns, '--yes');
      expect(released.code).toBe(0);
      expect(released.stdout).toBe(
        `released "${ns}#stuck-1" (was IN_PROGRESS): its next delivery runs the handler again\n`,
      );
      expect(await target.store.get(`${ns}#stuck-1`, { now: Date.now() })).toBeUndefined();
      const claim = await target.store.claim(`${ns}#stuck-1`, {
        now: Date.now(),
        leaseMs: MINUTE,
        ttlMs: DAY,
      });
      expect(claim.kind === 'claimed' && claim.previous).toBeUndefined();
      expect((await run('release', 'gone', '--namespace', ns, '--yes')).code).toBe(3);
    });

    it('a missing table is one line and exit 1 (Redis: there is no table to miss)', async () => {
      if (target.missingTableUrl === undefined) {
        expect((await run('create-table')).stdout).toMatch(/^Redis needs no table/);
        return;
      }
      const shown = await oncely(['inspect', 'k', '--store', target.missingTableUrl], {
        env: LOCAL_AWS_ENV,
      });
      expect(shown.code).toBe(1);
      expect(oneLine(shown)).toMatch(
        /^oncely: .* does not exist: create it with "oncely create-table" \(same --store\)$/,
      );
    });
  });
}

/** `url` with `params` added to its query. */
function withParams(url: string, params: Record<string, string>): string {
  const parsed = new URL(url);
  for (const [name, value] of Object.entries(params)) parsed.searchParams.set(name, value);
  return parsed.href;
}

describeWithServers('the oncely binary', () => {
  describeCommands('DynamoDB', async () => {
    const client = dynamoClient();
    // The store's key schema without its TTL setting: DynamoDB Local deletes items past
    // their TTL in the background, so the seeded expired record could vanish before
    // `stats` reads it. Here it stays, and the CLI must tell it is expired by `expiresAt`.
    const tableName = `oncely-cli-${randomUUID().slice(0, 8)}`;
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      }),
    );
    await waitUntilTableExists({ client, maxWaitTime: 60 }, { TableName: tableName });
    const drop = () => client.send(new DeleteTableCommand({ TableName: tableName }));
    return {
      url: `dynamodb://${tableName}?region=us-east-1&endpoint=${dynamodbEndpoint()}`,
      store: new DynamoDBStore({ client, tableName }),
      missingTableUrl: `dynamodb://oncely-missing-${randomUUID().slice(0, 8)}?endpoint=${dynamodbEndpoint()}`,
      shown: `DynamoDB table "${tableName}"`,
      async close() {
        await drop();
        client.destroy();
      },
    };
  });

  describeCommands('PostgreSQL', async () => {
    const schema = `oncely_cli_${randomUUID().replace(/-/g, '').slice(0, 10)}`;
    const pool = new pg.Pool({ connectionString: postgresUrl(), max: 2 });
    await createPostgresTable(pool, { tableName: 'oncely_dedup', schema });
    return {
      url: withParams(postgresUrl(), { schema }),
      store: new PostgresStore({ pool, tableName: 'oncely_dedup', schema }),
      missingTableUrl: withParams(postgresUrl(), { schema, table: 'missing' }),
      shown: `PostgreSQL table "${schema}.oncely_dedup"`,
      async close() {
        await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        await pool.end();
      },
    };
  });
});

describeWithServers('the oncely binary on Redis', () => {
  describeCommands('Redis', async () => {
    const keyPrefix = `oncely-cli-${randomUUID().slice(0, 8)}:`;
    const client = await createClient({ url: redisUrl() }).connect();
    return {
      url: withParams(redisUrl(), { prefix: keyPrefix }),
      store: new RedisStore({ client, keyPrefix }),
      shown: `Redis keys "${keyPrefix}*" at ${new URL(redisUrl()).host}`,
      async close() {
        for await (const keys of client.scanIterator({ MATCH: `${keyPrefix}*`, COUNT: 1000 })) {
          if (keys.length > 0) await client.del(keys);
        }
        client.destroy();
      },
    };
  });
});

describeWithServers('oncely create-table', () => {
  it('creates a DynamoDB table with TTL, then finds it there', async () => {
    const tableName = `oncely-cli-create-${randomUUID().slice(0, 8)}`;
    const url = `dynamodb://${tableName}?region=us-east-1&endpoint=${dynamodbEndpoint()}`;
    const client = dynamoClient();
    try {
      const created = await oncely(['create-table', '--store', url], { env: LOCAL_AWS_ENV });
      expect(created).toMatchObject({ code: 0, stderr: '' });
      expect(created.stdout).toBe(
        `created DynamoDB table "${tableName}" (on-demand, TTL enabled on "expiresAt")\n`,
      );
      const again = await oncely(['create-table', '--store', url, '--json'], {
        env: LOCAL_AWS_ENV,
      });
      expect(again.code).toBe(0);
      expect(JSON.parse(again.stdout)).toMatchObject({ created: false });
      const store = new DynamoDBStore({ client, tableName });
      const claim = await store.claim('ns#k', { now: Date.now(), leaseMs: MINUTE, ttlMs: DAY });
      expect(claim.kind).toBe('claimed');
    } finally {
      await client.send(new DeleteTableCommand({ TableName: tableName })).catch(() => {});
      client.destroy();
    }
  });

  it('creates a PostgreSQL table in its schema, then finds it there', async () => {
    const schema = `oncely_cli_${randomUUID().replace(/-/g, '').slice(0, 10)}`;
    const url = withParams(postgresUrl(), { schema, table: 'dedup' });
    const pool = new pg.Pool({ connectionString: postgresUrl(), max: 1 });
    try {
      const created = await oncely(['create-table', '--store', url], { env: {} });
      expect(created).toMatchObject({ code: 0, stderr: '' });
      expect(created.stdout).toBe(
        `created PostgreSQL table "${schema}.dedup" with its expiry index\n`,
      );
      const again = await oncely(['create-table', '--store', url], { env: {} });
      expect(again.stdout).toBe(`PostgreSQL table "${schema}.dedup" exists\n`);
      const store = new PostgresStore({ pool, tableName: 'dedup', schema });
      const claim = await store.claim('ns#k', { now: Date.now(), leaseMs: MINUTE, ttlMs: DAY });
      expect(claim.kind).toBe('claimed');
    } finally {
      await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await pool.end();
    }
  });
});

describeWithServers('oncely errors: one line, a documented exit code', () => {
  const table = () => `dynamodb://oncely-any?region=us-east-1&endpoint=${dynamodbEndpoint()}`;

  it('no AWS credentials: exit 1 and what to set', async () => {
    const { AWS_ACCESS_KEY_ID: _id, AWS_SECRET_ACCESS_KEY: _secret, ...env } = LOCAL_AWS_ENV;
    const shown = await oncely(['stats', '--store', table()], { env });
    expect(shown.code).toBe(1);
    expect(oneLine(shown)).toBe(
      'oncely: no AWS credentials found: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY',
    );
  });

  it('no AWS region: exit 1 and where to give it', async () => {
    const { AWS_REGION: _region, ...env } = LOCAL_AWS_ENV;
    const url = `dynamodb://oncely-any?endpoint=${dynamodbEndpoint()}`;
    const shown = await oncely(['inspect', 'k', '--store', url], { env });
    expect(shown.code).toBe(1);
    expect(oneLine(shown)).toBe(
      'oncely: no AWS region: add ?region=... to the store URL or set AWS_REGION',
    );
  });

  it('an unreachable PostgreSQL: exit 1, naming the address', async () => {
    const shown = await oncely(['stats', '--store', 'postgres://postgres@127.0.0.1:1/test'], {
      env: {},
    });
    expect(shown.code).toBe(1);
    expect(oneLine(shown)).toBe(
      'oncely: cannot reach PostgreSQL table "oncely_dedup" at 127.0.0.1:1 (ECONNREFUSED)',
    );
  });

  it('an unreachable Redis: exit 1, naming the address', async () => {
    const shown = await oncely(['stats', '--store', 'redis://127.0.0.1:1'], { env: {} });
    expect(shown.code).toBe(1);
    expect(oneLine(shown)).toBe(
      'oncely: cannot reach Redis keys "oncely:*" at 127.0.0.1:1 (ECONNREFUSED)',
    );
  });

  it.each([
    [
      ['stats'],
      'oncely: no store: pass --store URL or set ONCELY_STORE (e.g. dynamodb://oncely?region=eu-west-1)',
    ],
    [
      ['stats', '--store', 'not a url'],
      'oncely: bad store URL "not a url": expected e.g. dynamodb://TABLE, postgres://HOST/DB or redis://HOST',
    ],
    [
      ['stats', '--store', 'mysql://db/x'],
      'oncely: unknown store scheme "mysql:" in "mysql://db/x": expected dynamodb://, postgres:// or redis://',
    ],
    [
      ['stats', '--store', 'dynamodb://x'],
      `oncely: bad DynamoDB table "x" in the store URL: expected dynamodb://TABLE with 3-255 characters of a-z, A-Z, 0-9, '_', '-', '.'`,
    ],
    [
      ['stats', '--store', 'dynamodb://oncely?regoin=eu-west-1'],
      'oncely: unknown parameter "regoin" in the DynamoDB store URL: expected region, endpoint, sortKey, sortKeyValue or attr.NAME',
    ],
    [
      ['list', '--stuck', '--status', 'completed', '--store', 'dynamodb://oncely'],
      'oncely: --stuck lists IN_PROGRESS records: it cannot be combined with --status completed',
    ],
    [
      ['list', '--limit', '0', '--store', 'dynamodb://oncely'],
      `error: option '--limit <n>' argument '0' is invalid. expected a positive integer, got "0"`,
    ],
    [
      ['list', '--status', 'stuck'],
      `error: option '--status <status>' argument 'stuck' is invalid. Allowed choices are in-progress, completed.`,
    ],
    [['inspect'], `error: missing required argument 'key'`],
    [['frobnicate'], `error: unknown command 'frobnicate'`],
  ])('usage: %j exits 2', async (args, message) => {
    const shown = await oncely(args, { env: LOCAL_AWS_ENV });
    expect(shown.code).toBe(2);
    expect(shown.stdout).toBe('');
    expect(oneLine(shown)).toBe(message);
  });

  it('--help and --version exit 0', async () => {
    const help = await oncely(['--help'], { env: {} });
    expect(help.code).toBe(0);
    for (const command of ['inspect', 'release', 'list', 'stats', 'create-table']) {
      expect(help.stdout).toContain(command);
    }
    const version = await oncely(['--version'], { env: {} });
    expect(version).toMatchObject({ code: 0, stdout: '0.1.0\n' });
  });
});

/** The `oncely` lines of the README's Examples block, each with the exit code its comment names. */
async function readmeExamples(): Promise<{ args: string[]; code: number }[]> {
  const text = await readFile(new URL('../README.md', import.meta.url), 'utf8');
  const section = text.slice(text.indexOf('## Examples'));
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
  return block
    .split('\n')
    .filter((line) => line.startsWith('oncely '))
    .map((line) => {
      const [command = '', comment = ''] = line.split('#');
      return {
        args: command.trim().split(/\s+/).slice(1),
        code: Number(/exit (\d)/.exec(comment)?.[1] ?? 0),
      };
    });
}

describeWithServers('the README examples', () => {
  it('run as written, in order, with the exit codes they say', async () => {
    const examples = await readmeExamples();
    expect(examples.map(({ args }) => args[0])).toEqual([
      'create-table',
      'stats',
      'list',
      'inspect',
      'inspect',
      'release',
      'inspect',
    ]);
    const tableName = `oncely-cli-readme-${randomUUID().slice(0, 8)}`;
    const env = {
      ...LOCAL_AWS_ENV,
      ONCELY_STORE: `dynamodb://${tableName}?region=us-east-1&endpoint=${dynamodbEndpoint()}`,
    };
    const client = dynamoClient();
    try {
      const [create, ...rest] = examples;
      expect((await oncely(create?.args ?? [], { env })).code).toBe(0);
      const store = new DynamoDBStore({ client, tableName });
      await store.claim('payments#evt_1', {
        now: Date.now() - 10 * MINUTE,
        leaseMs: MINUTE,
        ttlMs: DAY,
      });
      const outputs: string[] = [];
      for (const { args, code } of rest) {
        const shown = await oncely(args, { env });
        expect({ args, code: shown.code, stderr: shown.stderr }).toEqual({
          args,
          code,
          stderr: code === 0 ? '' : shown.stderr,
        });
        outputs.push(shown.stdout);
      }
      expect(outputs[1]).toMatch(/^payments#evt_1 +IN_PROGRESS +ended 9m( \d+s)? ago /m);
      expect(outputs[2]).toMatch(/^lease +ended 9m( \d+s)? ago \(stuck\)$/m);
      expect(JSON.parse(outputs[3] ?? '')).toMatchObject({
        storeKey: 'payments#evt_1',
        stuck: true,
      });
      expect(await store.get('payments#evt_1', { now: Date.now() })).toBeUndefined();
    } finally {
      await client.send(new DeleteTableCommand({ TableName: tableName })).catch(() => {});
      client.destroy();
    }
  });
});
