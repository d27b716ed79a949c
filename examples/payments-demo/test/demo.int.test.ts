import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { connectClient } from '@oncely/test-support/redis-clients';
import {
  describeWithServers,
  dynamodbEndpoint,
  postgresUrl,
  redisUrl,
  sqsEndpoint,
} from '@oncely/test-support/servers';
import pg from 'pg';
import { expect, it } from 'vitest';
import type { DemoResult } from '../src/run.js';
import { expectDemoGuarantees, reportRow } from './guarantees.js';

const exampleDir = fileURLToPath(new URL('..', import.meta.url));

/** Runs the demo's command line as `npm run demo` does, and waits for it to exit by itself. */
function runDemoCommand(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--conditions=oncely-source', 'src/main.ts', ...args],
    { cwd: exampleDir, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => {
    stdout += String(chunk);
  });
  child.stderr.on('data', (chunk) => {
    stderr += String(chunk);
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describeWithServers('payments demo on ElasticMQ and DynamoDB Local', () => {
  it('runs with --real, shows each consumer’s guarantees, and exits on its own', async () => {
    const { code, stdout, stderr } = await runDemoCommand(['--real', '--json'], {
      SQS_ENDPOINT: sqsEndpoint(),
      DYNAMODB_ENDPOINT: dynamodbEndpoint(),
    });
    expect(code, stderr).toBe(0);
    const result = JSON.parse(stdout) as DemoResult;
    expect(result.sqsName).toBe(sqsEndpoint());
    expect(result.storeName).toBe(`DynamoDB at ${dynamodbEndpoint()}`);
    // The plan's crash map comes through JSON as an object.
    expectDemoGuarantees({
      ...result,
      plan: { ...result.plan, crashes: new Map(Object.entries(result.plan.crashes)) },
    });
  }, 90_000);
});

describeWithServers('payments demo on ElasticMQ and PostgreSQL', () => {
  it('runs with --store postgres: the transactional column commits its ledger rows with the records, each payment once', async () => {
    const { code, stdout, stderr } = await runDemoCommand(
      ['--store', 'postgres', '--sqs-endpoint', sqsEndpoint(), '--json'],
      { POSTGRES_URL: postgresUrl() },
    );
    expect(code, stderr).toBe(0);
    const result = JSON.parse(stdout) as DemoResult;
    const schema = /^PostgreSQL at postgres(?:ql)?:\/\/\S+, schema (oncely_demo_\w+)$/.exec(
      result.storeName,
    )?.[1];
    expect(schema, result.storeName).toBeDefined();
    expect(result.tallies.map((t) => t.mode)).toEqual(['none', 'oncely', 'transactional']);
    expectDemoGuarantees({
      ...result,
      plan: { ...result.plan, crashes: new Map(Object.entries(result.plan.crashes)) },
    });
    // The run's schema is gone: nothing left behind on the shared server.
    const pool = new pg.Pool({ connectionString: postgresUrl(), max: 1 });
    try {
      const { rows } = await pool.query('SELECT nspname FROM pg_namespace WHERE nspname = $1', [
        schema,
      ]);
      expect(rows).toEqual([]);
    } finally {
      await pool.end();
    }
  }, 90_000);
});

describeWithServers('payments demo on ElasticMQ and Redis', () => {
  it('runs with --store redis: the oncely column on Redis, the transactional column not available', async () => {
    const { code, stdout, stderr } = await runDemoCommand(
      ['--store', 'redis', '--sqs-endpoint', sqsEndpoint()],
      { REDIS_URL: redisUrl() },
    );
    expect(code, stderr).toBe(0);
    const prefix = /oncely's store: Redis at redis:\/\/\S+, key prefix (oncely-demo:\w+:)/.exec(
      stdout,
    )?.[1];
    expect(prefix, stdout).toBeDefined();
    const row = (label: string) => reportRow(stdout, label);
    expect(row('')).toEqual(['without oncely', 'oncely', 'oncely, transactional']);
    expect(row('deliveries (incl. redeliveries)')?.[2]).toBe('not available');
    expect(row('payments never charged')).toEqual(['0', '0', '-']);
    // With oncely, the only double charges are the two workers that died after charging.
    expect(Number(row('payments charged twice or more')?.[0])).toBeGreaterThan(2);
    expect(Number(row('payments charged twice or more')?.[1])).toBeGreaterThanOrEqual(2);
    expect(Number(row('lease takeovers reported')?.[1])).toBeGreaterThanOrEqual(4);
    expect(stdout).toContain(
      'Transactional mode is not available here: RedisStore has no transactional mode',
    );
    // The run's keys are gone: nothing left behind on the shared server.
    const client = await connectClient('node-redis', redisUrl());
    try {
      expect(await client.keys(prefix ?? '')).toEqual([]);
    } finally {
      await client.close();
    }
  }, 90_000);
});
