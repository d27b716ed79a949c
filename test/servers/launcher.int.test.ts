import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { groupAlive } from './exit-hooks.js';
import { startServers } from './index.js';
import { launch, ServerStartError } from './processes.js';

// The launcher's own failure paths; they need no Java and no Docker.
describe('test-server launcher', () => {
  const dir = mkdtempSync(join(tmpdir(), 'oncely-launcher-test-'));
  const savedEnv = { ...process.env };
  afterEach(() => {
    for (const key of ['DYNAMODB_ENDPOINT', 'SQS_ENDPOINT', 'KAFKA_BROKERS']) {
      if (savedEnv[key] === undefined) delete process.env[key];
      else process.env[key] = savedEnv[key];
    }
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('uses endpoints from the environment as they are, without starting anything', async () => {
    process.env.KAFKA_BROKERS = 'nowhere.invalid:1, nowhere.invalid:2';
    process.env.SQS_ENDPOINT = 'http://nowhere.invalid:3';
    const servers = await startServers(['kafka', 'sqs']);
    expect(servers.kafka).toEqual({
      brokers: ['nowhere.invalid:1', 'nowhere.invalid:2'],
      source: 'env',
    });
    expect(servers.sqs).toEqual({ endpoint: 'http://nowhere.invalid:3', source: 'env' });
    expect(servers.dynamodb).toBeUndefined();
    await servers.stop();
  });

  it('kills the whole process group when the health check times out', async () => {
    const logFile = join(dir, 'never-ready.log');
    const error = await launch({
      name: 'never-ready',
      command: 'sh',
      // A child of the server too: the whole group must go, not just the first process.
      args: ['-c', 'echo starting; sleep 300 & sleep 300'],
      cwd: dir,
      logFile,
      ready: () => Promise.reject(new Error('no answer')),
      timeoutMs: 500,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerStartError);
    const startError = error as ServerStartError;
    expect(startError.message).toMatch(/never-ready did not answer within 500 ms/);
    expect(startError.message).toMatch(/starting/); // the log's tail
    expect(startError.pid).toBeGreaterThan(0);
    expect(groupAlive(startError.pid!)).toBe(false);
  });

  it('reports a server that exits before it answers, with its log', async () => {
    const error = await launch({
      name: 'crashes',
      command: 'sh',
      args: ['-c', 'echo "Address already in use" >&2; exit 3'],
      cwd: dir,
      logFile: join(dir, 'crashes.log'),
      ready: () => Promise.reject(new Error('no answer')),
      timeoutMs: 10_000,
    }).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/crashes exited \(code 3\) before it answered/);
    expect((error as Error).message).toMatch(/Address already in use/);
  });

  it('leaves no process behind when its parent is killed with SIGKILL', async () => {
    // A parent we can SIGKILL: no exit hook runs there, only the watchdog can clean up.
    const script = join(dir, 'orphan-parent.ts');
    const processes = fileURLToPath(new URL('./processes.ts', import.meta.url));
    writeFileSync(
      script,
      `import { spawnServer } from ${JSON.stringify(processes)};
const server = spawnServer({ name: 'orphan', command: 'sleep', args: ['300'], cwd: ${JSON.stringify(dir)}, logFile: ${JSON.stringify(join(dir, 'orphan.log'))} });
console.log(server.pid);
setInterval(() => undefined, 1000);
`,
    );
    const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
    const parent = spawn(process.execPath, ['--import', 'tsx', script], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const pid = await new Promise<number>((resolve) => {
      parent.stdout.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
    });
    expect(groupAlive(pid)).toBe(true);
    parent.kill('SIGKILL');
    const deadline = Date.now() + 5_000;
    while (groupAlive(pid) && Date.now() < deadline) await sleep(100);
    expect(groupAlive(pid)).toBe(false);
  });
});
