/**
 * The part of a chaos run every broker shares: the run's store (`stores.ts`: fresh tables
 * or a schema, DynamoDB behind the fault proxy), competing worker processes, a producer that sends each event once (and
 * some twice, as a retrying producer would), a monkey that SIGKILLs workers while the
 * producer sends, a wait until the run drains, and the verdict from the ledger and the
 * workers' logs.
 */
import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type SeededRandom, seededRandom } from '../faults/seeded-random.js';
import { startChaosMonkey } from './chaos-monkey.js';
import { readWorkerReports } from './event-log.js';
import type { ChaosEnvironment, ScenarioResult } from './scenario.js';
import type { ChaosSettings } from './settings.js';
import { type ChaosStoreKind, prepareChaosStore } from './stores.js';
import { judge, type RunMode } from './verdict.js';
import { WorkerPool } from './worker-pool.js';
import type { WorkerBaseConfig } from './worker-runtime.js';

/** What a broker adds to the shared run. */
export interface BrokerChaosOptions {
  readonly env: ChaosEnvironment;
  readonly mode: RunMode;
  readonly store: ChaosStoreKind;
  readonly settings: ChaosSettings;
  /** `sqs` or `kafka`: names the tables, the log directory and the report row. */
  readonly scenario: string;
  /** The worker process's entry file. */
  readonly workerScript: string;
  /** Broker-specific fields of every worker's config (queue URL, topic, ...). */
  readonly workerExtras: Readonly<Record<string, unknown>>;
  /** Sends one message per event ID, in this order. */
  send(eventIds: readonly string[]): Promise<void>;
  /** Whether every message sent so far has been consumed and acknowledged. */
  drained(): Promise<boolean>;
  /** Extra lines for the report. */
  notes?(): Promise<string[]>;
}

/** Consecutive drained polls, a second apart, before the run counts as drained. */
const DRAINED_POLLS = 3;

/**
 * The send order: every event once, and a `duplicateRate` share of them a second time,
 * a little later, as a producer that retried after a lost acknowledgement would.
 */
export function sendOrder(settings: ChaosSettings, random: SeededRandom): string[] {
  const order = Array.from({ length: settings.events }, (_, i) => `event-${i}`);
  for (let i = settings.events - 1; i >= 0; i--) {
    if (!random.chance(settings.duplicateRate)) continue;
    const at = Math.min(order.length, i + random.int(1, 50));
    order.splice(at, 0, `event-${i}`);
  }
  return order;
}

/**
 * Runs one broker's chaos scenario to the end and judges it.
 *
 * @example
 * const result = await runBrokerChaos({ env, mode: 'normal', settings, scenario: 'sqs', ... });
 */
export async function runBrokerChaos(options: BrokerChaosOptions): Promise<ScenarioResult> {
  const { env, mode, settings, scenario } = options;
  const started = Date.now();
  const runId = `${scenario}-${options.store}-${mode}-${randomUUID().slice(0, 8)}`;
  const name = env.brokerKeys ? `${scenario} (control: broker keys)` : scenario;
  const logDir = join(env.workDir, runId);
  await mkdir(logDir, { recursive: true });
  const store = await prepareChaosStore(options.store, env, runId, settings, env.seed);
  const where = `${scenario}/${options.store}/${mode}`;
  const base: Omit<WorkerBaseConfig, 'name' | 'eventsFile'> = {
    seed: env.seed,
    mode,
    store: store.config,
    namespace: runId,
    leaseMs: settings.leaseMs,
    throwRate: settings.throwRate,
    slowRate: settings.slowRate,
    workMs: settings.workMs,
    brokerKeys: env.brokerKeys,
  };
  const pool = new WorkerPool({
    script: options.workerScript,
    size: settings.workers,
    outputDir: logDir,
    restartAfterMs: settings.restartAfterMs,
    log: (line) => env.log(`${where}: ${line}`),
    config: (name) => ({
      ...base,
      ...options.workerExtras,
      name,
      eventsFile: join(logDir, `${name}.jsonl`),
    }),
  });
  const order = sendOrder(settings, seededRandom(env.seed + 1));
  try {
    pool.start();
    const monkey = startChaosMonkey(pool, seededRandom(env.seed + 2), settings.crashEveryMs);
    const deadline = started + settings.deadlineMs;
    await produce(options, order);
    // Crashes stop with the producer; what they left behind (claims with live leases,
    // unacknowledged messages, uncommitted offsets) plays out while the run drains.
    await monkey.stop();
    env.log(`${where}: sent ${order.length} messages; waiting for the run to drain`);
    const drained = await waitUntilDrained(options, deadline);
    await pool.stop();
    if (!drained) env.log(`${where}: deadline passed before the run drained`);

    const keys = new Set(order);
    const effects = await store.readEffects();
    const reports = await readWorkerReports(logDir);
    const verdict = judge(mode, keys, effects, reports.tally);
    const storeFaults = store.faults();
    const outcomes = [...reports.outcomes].map(([name, count]) => `${name} ${count}`).join(', ');
    return {
      scenario: name,
      store: options.store,
      verdict,
      messages: order.length,
      deliveries: reports.deliveries,
      redeliveries: reports.redeliveries,
      crashes: pool.crashes,
      crashesMidHandler: pool.crashesMidHandler,
      faults: {
        'handler throws': reports.handlerFaults.get('throw') ?? 0,
        'handlers slower than the lease': reports.handlerFaults.get('slow') ?? 0,
        ...Object.fromEntries(
          Object.entries(storeFaults.injected).map(([kind, count]) => [`store ${kind}`, count]),
        ),
      },
      takeovers: reports.tally.totalTakeovers,
      leaseLost: reports.tally.totalLeaseLost,
      unexpectedExits: pool.unexpectedExits,
      drained,
      durationMs: Date.now() - started,
      notes: [
        `outcomes: ${outcomes}`,
        storeFaults.note,
        ...(drained ? [] : ['the deadline passed before the run drained']),
        ...((await options.notes?.()) ?? []),
      ],
    };
  } finally {
    await pool.stop();
    await store.close();
  }
}

/** Sends `order` in batches of ten, spread evenly over `produceOverMs`. */
async function produce(options: BrokerChaosOptions, order: readonly string[]): Promise<void> {
  const batches = Math.ceil(order.length / 10);
  const pauseMs = options.settings.produceOverMs / batches;
  for (let i = 0; i < batches; i++) {
    const sendAt = Date.now() + pauseMs;
    await options.send(order.slice(i * 10, i * 10 + 10));
    await sleep(Math.max(0, sendAt - Date.now()));
  }
}

async function waitUntilDrained(options: BrokerChaosOptions, deadline: number): Promise<boolean> {
  let streak = 0;
  while (Date.now() < deadline) {
    streak = (await options.drained()) ? streak + 1 : 0;
    if (streak >= DRAINED_POLLS) return true;
    await sleep(1_000);
  }
  return false;
}
