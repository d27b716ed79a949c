import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { describeWithServers, kafkaBrokers } from '../../../test/support/servers.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../../', import.meta.url));
const readme = fileURLToPath(new URL('../README.md', import.meta.url));

describeWithServers('the README quick start', () => {
  it('runs as written against the broker, with the output it shows', async () => {
    const text = await readFile(readme, 'utf8');
    const section = text.slice(text.indexOf('## Quick start'));
    const [, code, shown] = /```ts\n([\s\S]*?)```\s*```\n([\s\S]*?)```/.exec(section) ?? [];
    expect(code).toBeDefined();
    // Inside the repository, so `@oncely/*` resolve to the workspace sources.
    const dir = `${root}node_modules/.cache/oncely-readme`;
    const file = `${dir}/kafka-quick-start-${randomUUID()}.mts`;
    await mkdir(dir, { recursive: true });
    await writeFile(file, code as string);
    try {
      const { stdout } = await run(
        `${root}node_modules/.bin/tsx`,
        ['--conditions=oncely-source', file],
        { env: { ...process.env, KAFKA_BROKERS: kafkaBrokers().join(',') }, timeout: 60_000 },
      );
      expect(stdout).toBe(shown);
    } finally {
      await rm(file, { force: true });
    }
  });
});
