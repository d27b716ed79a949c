/**
 * `release` on a terminal asks first: run in process (`runCli`) with a stdin that says it
 * is a terminal, which a child process's pipe cannot.
 */
import { PassThrough } from 'node:stream';
import { describeWithServers, dynamodbEndpoint } from '@oncely/test-support/servers';
import { useStoreTable } from '@oncely/test-support/tables';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { type CliIo, runCli } from '../src/index.js';

const MINUTE = 60_000;

function terminal(
  answer: string,
  before: () => Promise<unknown> = async () => {},
): { io: CliIo; out: () => string; err: () => string } {
  const stdin = Object.assign(new PassThrough(), { isTTY: true });
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk) => {
    out += chunk;
  });
  stderr.on('data', (chunk) => {
    err += chunk;
    // Answer once the question is on screen, as a person would.
    if (String(chunk).includes('[y/N]')) void before().then(() => stdin.write(`${answer}\n`));
  });
  const env = { AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local' };
  return {
    io: { stdin, stdout, stderr, env, now: () => Date.now() },
    out: () => out,
    err: () => err,
  };
}

describeWithServers('oncely release on a terminal', () => {
  const table = useStoreTable('cli-prompt');
  // In process, the AWS SDK reads this process's environment.
  beforeAll(() => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'local');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'local');
  });
  afterAll(() => {
    vi.unstubAllEnvs();
  });
  const url = () => `dynamodb://${table.tableName}?region=us-east-1&endpoint=${dynamodbEndpoint()}`;

  it('shows the record, asks, and keeps it on "n" (exit 1)', async () => {
    const ns = table.namespace();
    await table.store.claim(`${ns}#k`, { now: Date.now(), leaseMs: MINUTE, ttlMs: MINUTE * 60 });
    const session = terminal('n');
    const code = await runCli(['release', 'k', '--namespace', ns, '--store', url()], session.io);
    expect(code).toBe(1);
    expect(session.err()).toMatch(new RegExp(`^key +${ns}#k$`, 'm'));
    expect(session.err()).toContain(`Delete the record of "${ns}#k" so it runs again? [y/N] `);
    expect(session.err()).toMatch(/oncely: not released\n$/);
    expect(await table.store.get(`${ns}#k`, { now: Date.now() })).toBeDefined();
  });

  it('deletes it on "y" (exit 0)', async () => {
    const ns = table.namespace();
    await table.store.claim(`${ns}#k`, { now: Date.now(), leaseMs: MINUTE, ttlMs: MINUTE * 60 });
    const session = terminal('y');
    const code = await runCli(['release', 'k', '--namespace', ns, '--store', url()], session.io);
    expect(code).toBe(0);
    expect(session.out()).toBe(
      `released "${ns}#k" (was IN_PROGRESS): its next delivery runs the handler again\n`,
    );
    expect(await table.store.get(`${ns}#k`, { now: Date.now() })).toBeUndefined();
  });

  it('leaves alone a record taken over while the prompt waited (exit 1)', async () => {
    const ns = table.namespace();
    const key = `${ns}#k`;
    await table.store.claim(key, {
      now: Date.now() - 10 * MINUTE,
      leaseMs: MINUTE,
      ttlMs: 60 * MINUTE,
    });
    let taker = '';
    const session = terminal('y', async () => {
      const claim = await table.store.claim(key, {
        now: Date.now(),
        leaseMs: MINUTE,
        ttlMs: 60 * MINUTE,
      });
      if (claim.kind === 'claimed') taker = claim.token;
    });
    const code = await runCli(['release', 'k', '--namespace', ns, '--store', url()], session.io);
    expect(code).toBe(1);
    expect(taker).not.toBe('');
    expect(session.err()).toContain(
      `oncely: not released: the record of "${key}" changed since it was read (now IN_PROGRESS, token ${taker}); run release again to see it\n`,
    );
    expect((await table.store.get(key, { now: Date.now() }))?.token).toBe(taker);
  });
});
