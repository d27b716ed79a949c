/**
 * Worker processes for chaos runs: forked with tsx (so they run the TypeScript
 * sources), each told its config through the environment, each reporting over IPC how
 * many handlers it has in flight, so a SIGKILL can be aimed at one that is mid-handler.
 * A killed worker comes back after a pause, under a new name (and a new log file).
 */
import { type ChildProcess, fork } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SeededRandom } from '../faults/seeded-random.js';

/** The environment variable a worker reads its JSON config from. */
export const WORKER_CONFIG_ENV = 'ONCELY_CHAOS_WORKER';

/** What a worker sends its parent. */
export type WorkerMessage = { readonly t: 'busy'; readonly inFlight: number };

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/** Options of {@link WorkerPool}. */
export interface WorkerPoolOptions {
  /** The worker's entry file. */
  readonly script: string;
  readonly size: number;
  /** The config of a worker process, by its name (`w<slot>.<start>`). */
  readonly config: (name: string) => unknown;
  /** Where each worker's stdout and stderr go (`<name>.out`). */
  readonly outputDir: string;
  /** How long a killed worker stays down. */
  readonly restartAfterMs: number;
  readonly log: (line: string) => void;
}

interface Slot {
  readonly index: number;
  starts: number;
  child: ChildProcess | undefined;
  name: string;
  inFlight: number;
  killedOnPurpose: boolean;
}

/** A fixed number of worker slots, each holding at most one live process. */
export class WorkerPool {
  /** SIGKILLs sent. */
  crashes = 0;
  /** SIGKILLs that hit a worker with a handler in flight. */
  crashesMidHandler = 0;
  /** Worker exits nobody asked for (a bug in the worker, or in what it runs). */
  unexpectedExits = 0;
  private readonly slots: Slot[];
  private stopping = false;
  private readonly restarts = new Set<NodeJS.Timeout>();

  constructor(private readonly options: WorkerPoolOptions) {
    this.slots = Array.from({ length: options.size }, (_, index) => ({
      index,
      starts: 0,
      child: undefined,
      name: '',
      inFlight: 0,
      killedOnPurpose: false,
    }));
  }

  /** Starts a process in every slot. */
  start(): void {
    for (const slot of this.slots) this.spawn(slot);
  }

  /**
   * SIGKILLs one live worker, preferring one with a handler in flight, and restarts it
   * after `restartAfterMs`. Returns the victim's name, or undefined when none is up.
   */
  killOne(random: SeededRandom): string | undefined {
    const live = this.slots.filter((slot) => slot.child !== undefined && !slot.killedOnPurpose);
    if (live.length === 0) return undefined;
    const busy = live.filter((slot) => slot.inFlight > 0);
    const victim = random.pick(busy.length > 0 ? busy : live);
    victim.killedOnPurpose = true;
    this.crashes++;
    if (victim.inFlight > 0) this.crashesMidHandler++;
    victim.child?.kill('SIGKILL');
    this.options.log(`SIGKILL ${victim.name} (${victim.inFlight} in flight)`);
    return victim.name;
  }

  /** Asks every worker to stop (SIGTERM), then SIGKILLs those still up after `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    this.stopping = true;
    for (const timer of this.restarts) clearTimeout(timer);
    const exits = this.slots.flatMap((slot) => (slot.child ? [exited(slot.child)] : []));
    for (const slot of this.slots) slot.child?.kill('SIGTERM');
    const timer = setTimeout(() => {
      for (const slot of this.slots) slot.child?.kill('SIGKILL');
    }, graceMs);
    await Promise.all(exits);
    clearTimeout(timer);
  }

  private spawn(slot: Slot): void {
    slot.starts++;
    slot.name = `w${slot.index + 1}.${slot.starts}`;
    slot.inFlight = 0;
    slot.killedOnPurpose = false;
    const output = openSync(join(this.options.outputDir, `${slot.name}.out`), 'a');
    const child = fork(this.options.script, [], {
      cwd: repoRoot,
      execArgv: ['--import', 'tsx', '--conditions=oncely-source'],
      env: { ...process.env, [WORKER_CONFIG_ENV]: JSON.stringify(this.options.config(slot.name)) },
      stdio: ['ignore', output, output, 'ipc'],
    });
    closeSync(output);
    slot.child = child;
    child.on('message', (message: WorkerMessage) => {
      if (message?.t === 'busy') slot.inFlight = message.inFlight;
    });
    child.once('exit', (code, signal) => {
      slot.child = undefined;
      if (this.stopping) return;
      if (!slot.killedOnPurpose) {
        this.unexpectedExits++;
        this.options.log(`${slot.name} exited on its own (${signal ?? `code ${code}`})`);
      }
      const timer = setTimeout(() => {
        this.restarts.delete(timer);
        if (!this.stopping) this.spawn(slot);
      }, this.options.restartAfterMs);
      this.restarts.add(timer);
    });
  }
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}
