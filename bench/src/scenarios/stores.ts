import { createDeduper, type Deduper } from '@oncely/core';
import { type OpenStore, STORE_BENCHES, type StoreBench } from '../contenders/store-benches.js';
import type { BenchContext, Scenario, ScenarioReport } from '../framework/scenario.js';
import { measurePhase, type Phase, summarizePhases } from '../measure/phase.js';

/** Sizes of the stores scenario, full and quick. */
export const STORES_SETTINGS = {
  full: { messagesPerRound: 800, rounds: 5, concurrency: 16, warmupMessages: 400 },
  quick: { messagesPerRound: 100, rounds: 1, concurrency: 16, warmupMessages: 50 },
} as const;

type Settings = (typeof STORES_SETTINGS)[keyof typeof STORES_SETTINGS];

/** One store under the scenario: its deduper and its figures so far. */
interface Running {
  readonly bench: StoreBench;
  readonly open: OpenStore;
  readonly deduper: Deduper;
  readonly phases: { readonly fresh: Phase[]; readonly duplicate: Phase[] };
  readonly roundTrips: { fresh: number; duplicate: number };
}

/**
 * Scenario "stores": oncely's deduper, as it comes (batching on), on each store side by
 * side: the same keys at the same concurrency, new messages (claim + complete) then their
 * duplicates (a claim answered with the record).
 */
export const storesScenario: Scenario = {
  name: 'stores',
  title: 'oncely on each store: new messages and duplicates, side by side',
  needs: [...new Set(STORE_BENCHES.flatMap((bench) => bench.needs))],
  run: runStores,
};

async function runStores(context: BenchContext): Promise<ScenarioReport> {
  const settings = context.quick ? STORES_SETTINGS.quick : STORES_SETTINGS.full;
  const running: Running[] = [];
  try {
    for (const bench of STORE_BENCHES) {
      const open = await bench.open(context);
      running.push({
        bench,
        open,
        deduper: createDeduper({ store: open.store, namespace: 'bench', ttl: '24h' }),
        phases: { fresh: [], duplicate: [] },
        roundTrips: { fresh: 0, duplicate: 0 },
      });
    }
    const rounds = settings.rounds + 1;
    for (let round = 0; round < rounds; round++) {
      const warmup = round === 0;
      const count = warmup ? settings.warmupMessages : settings.messagesPerRound;
      const keys = Array.from({ length: count }, (_, index) => `round-${round}-key-${index}`);
      for (let index = 0; index < running.length; index++) {
        // Rotate who goes first, so a busy moment of the machine hits every store.
        const entry = running[(round + index) % running.length] as Running;
        for (const kind of ['fresh', 'duplicate'] as const) {
          const before = await entry.open.roundTrips();
          const phase = await measurePhase(
            keys,
            (key) => runOnce(entry.deduper, key, kind === 'fresh' ? 'processed' : 'duplicate'),
            { concurrency: settings.concurrency },
          );
          const after = await entry.open.roundTrips();
          if (!warmup) {
            entry.phases[kind].push(phase);
            entry.roundTrips[kind] += after - before;
          }
        }
      }
      context.log(`stores: round ${round + 1}/${rounds}${warmup ? ' (warmup)' : ''} done`);
    }
    return buildReport(running, settings);
  } finally {
    for (const entry of running) await entry.open.close();
  }
}

async function runOnce(deduper: Deduper, key: string, expected: 'processed' | 'duplicate') {
  const outcome = await deduper.run(key, () => key.length);
  if (outcome.status !== expected) {
    throw new Error(`key ${key}: expected ${expected}, got ${outcome.status}`);
  }
}

function buildReport(running: readonly Running[], settings: Settings): ScenarioReport {
  const rows = running.flatMap((entry) =>
    (['fresh', 'duplicate'] as const).map((kind) => {
      const phases = entry.phases[kind];
      const summary = summarizePhases(phases);
      const messages = phases.reduce((sum, phase) => sum + phase.messages, 0);
      return {
        contender: `${entry.bench.name}: ${kind === 'fresh' ? 'new' : 'duplicate'}`,
        figures: {
          perSecond: summary.perSecond,
          roundTrips: entry.roundTrips[kind] / messages,
          cpu: summary.cpuMsPerMessage,
          p50: summary.p50Ms,
          p99: summary.p99Ms,
        },
      };
    }),
  );
  return {
    scenario: 'stores',
    title: storesScenario.title,
    baseline: rows[0]?.contender ?? '',
    columns: [
      { key: 'perSecond', header: 'msg/s', ratio: true },
      { key: 'roundTrips', header: 'round trips/msg', digits: 2 },
      { key: 'cpu', header: 'CPU ms/msg', digits: 3 },
      { key: 'p50', header: 'p50 ms', digits: 1 },
      { key: 'p99', header: 'p99 ms', digits: 1 },
    ],
    rows,
    targets: [],
    settings: { ...settings, stores: running.map((entry) => entry.bench.name) },
    notes: [
      `${settings.messagesPerRound.toLocaleString('en-US')} keys per round, ${settings.concurrency} deduper.run calls in flight (batching on: calls of the same turn share a batch), median msg/s of ${settings.rounds} rounds after a warmup round; every round uses new keys, then the same keys again for duplicates.`,
      ...running.map((entry) => `Round trips, ${entry.bench.name}: ${entry.bench.counted}.`),
      'CPU ms/msg: this process only (each server runs in its own process on the same two cores).',
    ],
  };
}
