import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describeWithServers, dynamodbEndpoint, sqsEndpoint } from '@oncely/test-support/servers';
import { expect, it } from 'vitest';
import type { DemoResult } from '../src/run.js';
import { expectDemoGuarantees } from './guarantees.js';

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
