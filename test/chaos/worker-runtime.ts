/**
 * The parts every chaos worker process shares: reading its config, telling the parent
 * how many handlers are in flight, the handler's planned misbehaviour and its effect,
 * and a clean stop on SIGTERM.
 */
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DedupStore, RunContext } from '@oncely/core';
import { type SeededRandom, seededRandom } from '../faults/seeded-random.js';
import { EventLogWriter } from './event-log.js';
import { type ChaosStoreConfig, openWorkerStore, type WorkerStore } from './stores.js';
import type { RunMode } from './verdict.js';
import { WORKER_CONFIG_ENV, type WorkerMessage } from './worker-pool.js';

/** What every worker is told. */
export interface WorkerBaseConfig {
  readonly name: string;
  readonly seed: number;
  readonly mode: RunMode;
  /** This process's JSONL log. */
  readonly eventsFile: string;
  /** The store and the effect ledger (`stores.ts` builds them). */
  readonly store: ChaosStoreConfig;
  readonly namespace: string;
  readonly leaseMs: number;
  readonly throwRate: number;
  readonly slowRate: number;
  readonly workMs: readonly [number, number];
  /**
   * A negative control: key by what the broker assigns (SQS message ID, Kafka offset)
   * instead of the event ID, so producer duplicates get new keys and must show up as
   * unexplained duplicates. Proves the run can fail.
   */
  readonly brokerKeys: boolean;
}

/** Reads the config the pool put in the environment. */
export function workerConfig<T extends WorkerBaseConfig>(): T {
  const text = process.env[WORKER_CONFIG_ENV];
  if (!text) throw new Error(`${WORKER_CONFIG_ENV} is not set: start workers through WorkerPool`);
  return JSON.parse(text) as T;
}

/** A seeded source of its own for each worker process. */
export function workerRandom(config: WorkerBaseConfig): SeededRandom {
  const digest = createHash('sha256').update(`${config.seed}/${config.name}`).digest();
  return seededRandom(digest.readUInt32BE(0));
}

/** Counts handlers in flight and tells the parent, so its SIGKILLs can aim mid-handler. */
export class InFlight {
  private count = 0;
  private idleWaiters: (() => void)[] = [];

  enter(): void {
    this.report(++this.count);
  }

  leave(): void {
    this.report(--this.count);
    if (this.count === 0) for (const wake of this.idleWaiters.splice(0)) wake();
  }

  /** Resolves when no handler is in flight, or after `timeoutMs`. */
  idle(timeoutMs: number): Promise<void> {
    if (this.count === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.idleWaiters.push(resolve);
      setTimeout(resolve, timeoutMs).unref();
    });
  }

  private report(inFlight: number): void {
    const message: WorkerMessage = { t: 'busy', inFlight };
    process.send?.(message);
  }
}

/** Thrown by a handler on purpose, before its effect. */
export class ChaosHandlerError extends Error {
  override name = 'ChaosHandlerError';
}

/**
 * The handler every chaos worker runs for an event: now and then it throws (before any
 * effect) or works longer than its lease; otherwise it works a little; then it makes
 * its effect, one ledger entry for the event, inside the record's transaction or as a
 * direct write.
 */
export function chaosHandler(
  config: WorkerBaseConfig,
  log: EventLogWriter,
  ledger: Pick<WorkerStore, 'writeEffect' | 'addEffect'>,
  inFlight: InFlight,
): (eventId: string, context: RunContext) => Promise<void> {
  const random = workerRandom(config);
  return async (eventId, context) => {
    const key = eventId;
    inFlight.enter();
    try {
      if (random.chance(config.throwRate)) {
        log.write({ t: 'fault', kind: 'throw', key });
        throw new ChaosHandlerError(`handler for ${key} failed on purpose`);
      }
      if (random.chance(config.slowRate)) {
        log.write({ t: 'fault', kind: 'slow', key });
        await sleep(Math.round(config.leaseMs * 1.5));
      } else {
        await sleep(random.int(config.workMs[0], config.workMs[1]));
      }
      if (config.mode === 'transactional') ledger.addEffect(context, key, config.name);
      else await ledger.writeEffect(key, config.name);
    } finally {
      inFlight.leave();
    }
  };
}

/**
 * On SIGTERM: runs `stop`, then exits. A worker whose parent died (the IPC channel
 * closed) exits at once, so an interrupted run leaves no consumers behind.
 */
export function onTerminate(stop: () => Promise<void>): void {
  process.once('disconnect', () => process.exit(0));
  process.once('SIGTERM', () => {
    stop()
      .catch((error: unknown) => console.error('stopping failed', error))
      .finally(() => process.exit(0));
  });
}

/** The name of an error, for outcome counts. */
export function errorName(error: unknown): string {
  return error instanceof Error ? error.name : typeof error;
}

/** What every worker process starts with. */
export interface Worker<T extends WorkerBaseConfig> {
  readonly config: T;
  readonly log: EventLogWriter;
  readonly inFlight: InFlight;
  /** The store of the run (DynamoDB: through the fault proxy, the SDK's default 3 attempts). */
  readonly store: DedupStore;
  /** The chaos handler, for an event ID. */
  readonly run: (eventId: string, context: RunContext) => Promise<void>;
}

/**
 * Sets a worker process up from the config the pool gave it.
 *
 * @example
 * const { config, log, store, run } = await startWorker<SqsWorkerConfig>();
 */
export async function startWorker<T extends WorkerBaseConfig>(): Promise<Worker<T>> {
  const config = workerConfig<T>();
  const log = new EventLogWriter(config.eventsFile);
  const inFlight = new InFlight();
  const opened = await openWorkerStore(config.store);
  const run = chaosHandler(config, log, opened, inFlight);
  return { config, log, inFlight, store: opened.store, run };
}
