import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { groupAlive, killGroup, track, untrack } from './exit-hooks.js';

/**
 * Started as `sh -c WATCHDOG name command args...`. The shell forks a watchdog that kills the
 * whole process group once our Node process is gone (even after a SIGKILL, which no exit hook
 * sees), then `exec`s the server, so the server keeps the shell's pid, which is also the
 * process group id (the child is spawned detached).
 */
const WATCHDOG = [
  'parent="$ONCELY_PARENT_PID"',
  '(while kill -0 "$parent" 2>/dev/null; do sleep 1; done; kill -KILL 0) &',
  'exec "$@"',
].join('\n');

/** Waits for `promise` at most `ms`; the timer is cleared as soon as the promise settles. */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | 'timeout'> {
  const timer = new AbortController();
  const timeout = sleep(ms, 'timeout' as const, { signal: timer.signal }).catch(
    () => 'timeout' as const,
  );
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    timer.abort();
  }
}

/** Last `lines` lines of a log file, for error messages. */
export function tailFile(file: string, lines = 30): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log written)';
  }
}

/** Thrown when a server process does not come up; carries where to look. */
export class ServerStartError extends Error {
  override name = 'ServerStartError';
  constructor(
    message: string,
    readonly logFile: string,
    readonly pid: number | undefined,
    options?: ErrorOptions,
  ) {
    super(`${message}\n--- last lines of ${logFile} ---\n${tailFile(logFile)}`, options);
  }
}

/** What to run; stdout and stderr both go to `logFile`. */
export interface SpawnSpec {
  name: string;
  command: string;
  args: string[];
  cwd: string;
  logFile: string;
}

/** A spawned server process group. */
export interface ServerProcess {
  name: string;
  pid: number;
  logFile: string;
  /** Resolves with the exit code (or null when killed by a signal) once the process ends. */
  exited: Promise<number | null>;
  hasExited(): boolean;
  /** SIGTERM to the group, SIGKILL after `graceMs`; resolves once the process is gone. */
  stop(graceMs?: number): Promise<void>;
}

/** Spawns a server in its own process group, tracked so it never outlives this process. */
export function spawnServer(spec: SpawnSpec): ServerProcess {
  const fd = openSync(spec.logFile, 'a');
  const child = spawn('/bin/sh', ['-c', WATCHDOG, spec.name, spec.command, ...spec.args], {
    cwd: spec.cwd,
    detached: true,
    stdio: ['ignore', fd, fd],
    env: { ...process.env, ONCELY_PARENT_PID: String(process.pid) },
  });
  closeSync(fd);
  const pid = child.pid;
  if (pid === undefined)
    throw new ServerStartError(`${spec.name}: spawn failed`, spec.logFile, pid);
  track(pid);
  // Unref: a caller that forgets stop() still lets Node exit, and the exit hook kills the group.
  child.unref();

  let done = false;
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      done = true;
      resolve(code);
    });
  });

  return {
    name: spec.name,
    pid,
    logFile: spec.logFile,
    exited,
    hasExited: () => done,
    async stop(graceMs = 5_000) {
      if (!done) {
        killGroup(pid, 'SIGTERM');
        await within(exited, graceMs);
      }
      // Also reaps the watchdog, and anything the server forked, after a clean exit.
      killGroup(pid, 'SIGKILL');
      await within(exited, 2_000);
      // Killed members linger until reaped; wait (briefly) so "stopped" means "gone".
      for (let i = 0; i < 20 && groupAlive(pid); i++) await sleep(100);
      untrack(pid);
    },
  };
}

/** Options for {@link launch}. */
export interface LaunchSpec extends SpawnSpec {
  /** Resolves once the server answers; rejects (or throws) while it does not yet. */
  ready: () => Promise<void>;
  timeoutMs: number;
  /** Pause between health checks. @default 200 */
  intervalMs?: number;
}

/**
 * Spawns a server and polls `ready` until it answers. On timeout, or when the process dies
 * first, kills the process group and throws a {@link ServerStartError} with the log's tail.
 */
export async function launch(spec: LaunchSpec): Promise<ServerProcess> {
  const proc = spawnServer(spec);
  const started = Date.now();
  let lastError: unknown;
  while (Date.now() - started < spec.timeoutMs) {
    if (proc.hasExited()) {
      const code = await proc.exited;
      await proc.stop();
      throw new ServerStartError(
        `${spec.name} exited (code ${code}) before it answered`,
        spec.logFile,
        proc.pid,
      );
    }
    try {
      // A probe that hangs must not stall the loop past the deadline.
      if ((await within(spec.ready(), 10_000)) !== 'timeout') return proc;
      lastError = new Error('health check hung for 10 s');
    } catch (error) {
      lastError = error;
    }
    await sleep(spec.intervalMs ?? 200);
  }
  await proc.stop(1_000);
  const why = lastError instanceof Error ? lastError.message : String(lastError);
  throw new ServerStartError(
    `${spec.name} did not answer within ${spec.timeoutMs} ms (last error: ${why})`,
    spec.logFile,
    proc.pid,
    { cause: lastError },
  );
}

/** Runs a one-shot command as a tracked process group and resolves when it exits with 0. */
export async function runToCompletion(spec: SpawnSpec, timeoutMs: number): Promise<void> {
  const proc = spawnServer(spec);
  const code = await within(proc.exited, timeoutMs);
  await proc.stop(0);
  if (code !== 0) {
    const what =
      code === 'timeout' ? `timed out after ${timeoutMs} ms` : `exited with code ${code}`;
    throw new ServerStartError(`${spec.name} ${what}`, spec.logFile, proc.pid);
  }
}
