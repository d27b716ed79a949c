import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Whether this process's Node is at least the given `major.minor` in one of the lines. */
export function nodeAtLeast(versions: readonly (readonly [number, number])[]): boolean {
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  return versions.some(([m, n]) => major > m || (major === m && minor >= n));
}

/**
 * A Node 22 binary for a contender this Node cannot run: `ONCELY_NODE22` if set, the
 * one CI installed (`.ci/node22`), else the registry's `node@22` package installed once
 * under `node_modules/.cache/oncely-bench/node22` (the machines have Node 20 only, and
 * the registry's `node` package brings a real binary).
 */
export async function node22(log: (line: string) => void): Promise<string> {
  const fromEnv = process.env.ONCELY_NODE22;
  if (fromEnv) return fromEnv;
  const binary = (dir: string) => join(dir, 'node_modules', 'node', 'bin', 'node');
  const ci = binary(resolve('.ci/node22'));
  if (existsSync(ci)) return ci;
  const cache = resolve('node_modules/.cache/oncely-bench/node22');
  if (!existsSync(binary(cache))) {
    log('bench: installing node@22 for the contenders that need it');
    await mkdir(cache, { recursive: true });
    await writeFile(join(cache, 'package.json'), '{ "private": true }\n');
    await run('npm', [
      'install',
      '--prefix',
      cache,
      '--no-audit',
      '--no-fund',
      '--no-package-lock',
      'node@22',
    ]);
  }
  return binary(cache);
}
