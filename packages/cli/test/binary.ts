/**
 * Runs the built `oncely` binary (`dist/bin.js`) as a user's shell would: a child process,
 * stdin a pipe (not a terminal), the environment given.
 */
import { execFile, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);
const root = fileURLToPath(new URL('../../../', import.meta.url));
const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));

/** Builds the CLI and the packages it imports (turbo, cached) so `dist/bin.js` is current. */
export async function buildCli(): Promise<void> {
  await execFileAsync(
    'npx',
    ['turbo', 'run', 'build', '--filter=@oncely/cli...', '--output-logs=errors-only'],
    {
      cwd: root,
      maxBuffer: 16 * 1024 * 1024,
    },
  );
}

/** What one run of the binary did. */
export interface BinRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `oncely ...args` with `env` (on top of a clean PATH/HOME only) and `input` on stdin. */
export function oncely(
  args: readonly string[],
  options: { env?: Record<string, string>; input?: string } = {},
): Promise<BinRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}

/** The local servers' dummy AWS credentials and region, without anything from this machine. */
export const LOCAL_AWS_ENV = {
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
  AWS_REGION: 'us-east-1',
  AWS_EC2_METADATA_DISABLED: 'true',
  AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials',
  AWS_CONFIG_FILE: '/nonexistent/config',
};
