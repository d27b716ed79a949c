/**
 * Runs a package README's quick start as written, so the documented example cannot drift from
 * the code it documents.
 *
 * @example
 * import { quickStart, runTypeScript } from '@oncely/test-support/readme';
 *
 * const { code, output } = await quickStart(new URL('../README.md', import.meta.url));
 * expect(await runTypeScript(code, { name: 'kafka-quick-start' })).toBe(output);
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));

/** The quick start of a README: its code and, when the README shows it, the output it prints. */
export interface QuickStart {
  /** The first TypeScript block after the `## Quick start` heading. */
  code: string;
  /** The plain block right after that code block, if there is one. */
  output: string | undefined;
}

/** Options of {@link runTypeScript}. */
export interface RunTypeScriptOptions {
  /** Start of the temporary file's name, to tell runs apart in a stack trace. */
  name: string;
  /**
   * Variables added to this process's environment for the run (server endpoints).
   * @default {}
   */
  env?: Record<string, string>;
  /**
   * The package folder the code runs from (e.g. `packages/telemetry`), so that package's
   * own dependencies resolve as they do for its tests.
   * @default the repository root
   */
  under?: string;
}

/**
 * Reads the quick start of the README at `readme`; throws when it has no TypeScript block
 * under `## Quick start`.
 *
 * @example
 * const { code, output } = await quickStart(new URL('../README.md', import.meta.url));
 */
export async function quickStart(readme: URL): Promise<QuickStart> {
  const text = await readFile(fileURLToPath(readme), 'utf8');
  const section = text.slice(text.indexOf('## Quick start'));
  const match = /```ts\n([\s\S]*?)```(?:\s*```\n([\s\S]*?)```)?/.exec(section);
  if (!match?.[1])
    throw new Error(`${readme.pathname} has no TypeScript block under "## Quick start"`);
  return { code: match[1], output: match[2] };
}

/**
 * Reads the first TypeScript block under the heading that starts with `heading` (any level)
 * in the README at `readme`, for examples outside the quick start; throws when there is none.
 *
 * @example
 * const code = await exampleUnder(readme, '### AWS Lambda');
 */
export async function exampleUnder(readme: URL, heading: string): Promise<string> {
  const text = await readFile(fileURLToPath(readme), 'utf8');
  const start = text.indexOf(`\n${heading}`);
  const match = start < 0 ? null : /```ts\n([\s\S]*?)```/.exec(text.slice(start));
  if (!match?.[1]) throw new Error(`${readme.pathname} has no TypeScript block under "${heading}"`);
  return match[1];
}

/**
 * Runs `code` as an ES module under tsx and returns what it printed; fails when it exits
 * non-zero or takes over 60 s.
 *
 * @example
 * const stdout = await runTypeScript(code, { name: 'quick-start', env: { DYNAMODB_ENDPOINT } });
 */
export async function runTypeScript(code: string, options: RunTypeScriptOptions): Promise<string> {
  // Inside the repository, so `@oncely/*` resolve to the workspace sources.
  const dir = `${root}${options.under ? `${options.under}/` : ''}node_modules/.cache/oncely-readme`;
  const file = `${dir}/${options.name}-${randomUUID()}.mts`;
  await mkdir(dir, { recursive: true });
  await writeFile(file, code);
  try {
    const { stdout } = await execFileAsync(
      `${root}node_modules/.bin/tsx`,
      ['--conditions=oncely-source', file],
      { env: { ...process.env, ...options.env }, timeout: 60_000 },
    );
    return stdout;
  } finally {
    await rm(file, { force: true });
  }
}
