/**
 * Bookkeeping that makes sure no server outlives this process: every server's process group
 * is tracked from spawn to stop, and while any runs, exit and signal hooks kill them all.
 */

/** Process groups we started and have not stopped yet. */
const live = new Set<number>();
const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** Sends `signal` to every process of the group; a group that is already gone is fine. */
export function killGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: the group is already gone, which is what we want.
  }
}

/** True while any process of the group is alive (or not yet reaped). */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Synchronous cleanups (temp dirs) to run after the kill on exit or a signal. */
const cleanups = new Set<() => void>();

/**
 * Registers `cleanup` to run synchronously if the process exits or is signalled while servers
 * still run; returns a function that unregisters it (call it after a normal stop).
 */
export function onHardExit(cleanup: () => void): () => void {
  cleanups.add(cleanup);
  return () => cleanups.delete(cleanup);
}

function killAllNow(): void {
  for (const pgid of live) killGroup(pgid, 'SIGKILL');
  live.clear();
  for (const cleanup of cleanups) {
    try {
      cleanup();
    } catch {
      // Best effort: the process is going down anyway.
    }
  }
  cleanups.clear();
}

function onExit(): void {
  killAllNow();
}

function onSignal(signal: NodeJS.Signals): void {
  killAllNow();
  uninstallHooks();
  // Having a listener turned off Node's default "die on signal". If nobody else handles the
  // signal (a CLI, vitest), re-raise it so the process still ends the way the user asked.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

function installHooks(): void {
  if (process.listeners('exit').includes(onExit)) return;
  process.on('exit', onExit);
  for (const signal of SIGNALS) process.on(signal, onSignal);
}

function uninstallHooks(): void {
  process.off('exit', onExit);
  for (const signal of SIGNALS) process.off(signal, onSignal);
}

/** Starts watching a freshly spawned group (installs the hooks with the first one). */
export function track(pgid: number): void {
  live.add(pgid);
  installHooks();
}

/** Forgets a stopped group (removes the hooks with the last one). */
export function untrack(pgid: number): void {
  live.delete(pgid);
  // Hooks only while servers run: an idle launcher must not change how the host handles Ctrl-C.
  if (live.size === 0) uninstallHooks();
}
