import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify, stripVTControlCharacters } from 'node:util';
import type { ServerKind } from './types.js';

const run = promisify(execFile);

/** Gitignored cache of the servers' jars, one directory per server. */
export const JARS_DIR = fileURLToPath(new URL('./jars/', import.meta.url));
const POMS_DIR = fileURLToPath(new URL('./maven/', import.meta.url));
/** Written last into a server's jar directory; holds the hash of the pom it was fetched from. */
const MARKER = '.complete';

function pomPath(kind: ServerKind): string {
  return join(POMS_DIR, kind, 'pom.xml');
}

function pomStamp(kind: ServerKind): string {
  return createHash('sha256')
    .update(readFileSync(pomPath(kind)))
    .digest('hex');
}

/** The jar directory of `kind`. */
export function jarsDir(kind: ServerKind): string {
  return join(JARS_DIR, kind);
}

/** True when the jars of `kind` were fetched from the current pom (so Maven is not needed). */
export async function jarsCached(kind: ServerKind): Promise<boolean> {
  try {
    return (await readFile(join(jarsDir(kind), MARKER), 'utf8')).trim() === pomStamp(kind);
  } catch {
    return false;
  }
}

// Maven 3.8 does not lock its local repository; one fetch at a time keeps it consistent.
let queue: Promise<unknown> = Promise.resolve();

/**
 * Makes sure the jars of `kind` are in `test/servers/jars/<kind>/` and returns that directory.
 * Fetches them with Maven only when they are missing or the pom changed; a fetch goes to a
 * temporary directory first, so a run killed halfway never leaves a half-filled cache behind.
 */
export function ensureJars(kind: ServerKind, log: (line: string) => void): Promise<string> {
  const next = queue.then(() => fetchJars(kind, log));
  queue = next.catch(() => undefined);
  return next;
}

async function fetchJars(kind: ServerKind, log: (line: string) => void): Promise<string> {
  const dir = jarsDir(kind);
  if (await jarsCached(kind)) return dir;
  const staging = `${dir}.tmp-${process.pid}-${Date.now()}`;
  const started = Date.now();
  log(`${kind}: fetching jars with Maven into ${dir} (once)`);
  const args = ['-B', '-q', '-ntp', '-Dstyle.color=never', '-f', pomPath(kind)];
  args.push('dependency:copy-dependencies', `-DoutputDirectory=${staging}`);
  try {
    await run('mvn', args, { timeout: 15 * 60_000, maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    // Maven 3.8 prints ANSI resets even in batch mode; strip them for a readable message.
    const output = stripVTControlCharacters(`${stdout}${stderr}`).trim();
    throw new Error(`${kind}: fetching jars with Maven failed:\n${output.slice(-3_000)}`, {
      cause: error,
    });
  }
  await writeFile(join(staging, MARKER), `${pomStamp(kind)}\n`);
  await rm(dir, { recursive: true, force: true });
  try {
    await rename(staging, dir);
  } catch (error) {
    // Another process finished the same fetch first: use its copy.
    await rm(staging, { recursive: true, force: true });
    if (!(await jarsCached(kind))) throw error;
  }
  log(`${kind}: jars fetched in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return dir;
}
