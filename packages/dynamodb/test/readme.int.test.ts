import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { describeWithServers, dynamodbEndpoint } from '../../../test/support/servers.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../../', import.meta.url));
const readme = fileURLToPath(new URL('../README.md', import.meta.url));

/** The first TypeScript block after the "Quick start" heading. */
async function quickStart(): Promise<string> {
  const text = await readFile(readme, 'utf8');
  const section = text.slice(text.indexOf('## Quick start'));
  const match = /```ts\n([\s\S]*?)```/.exec(section);
  if (!match?.[1]) throw new Error('README has no TypeScript block under "## Quick start"');
  return match[1];
}

describeWithServers('the README quick start', () => {
  it('runs as written and charges once for three deliveries', async () => {
    // Inside the repository, so `@oncely/*` resolve to the workspace packages.
    const dir = `${root}node_modules/.cache/oncely-readme`;
    const file = `${dir}/quick-start-${randomUUID()}.mts`;
    await mkdir(dir, { recursive: true });
    await writeFile(file, await quickStart());
    try {
      const { stdout } = await run(
        `${root}node_modules/.bin/tsx`,
        ['--conditions=oncely-source', file],
        { env: { ...process.env, DYNAMODB_ENDPOINT: dynamodbEndpoint() }, timeout: 60_000 },
      );
      expect(stdout).toMatch(/delivery 1: processed/);
      expect(stdout).toMatch(/delivery 2: duplicate \{ chargeId: 'ch_\w+', amount: 4200 \}/);
      expect(stdout).toMatch(/delivery 3: duplicate/);
      expect(stdout).toMatch(/charged 1 time\(s\)/);
    } finally {
      await rm(file, { force: true });
    }
  });
});
