import type { BenchContext, Scenario, ScenarioReport, TargetCheck } from '../framework/scenario.js';
import { timeSequential } from '../measure/sequential.js';
import { median } from '../measure/stats.js';
import {
  type EngineContender,
  type EngineMessage,
  handlerAlone,
  oncelyMemory,
  powertoolsMemory,
} from './engine-contenders.js';
import { oncelyOtelOff, oncelyOtelOn } from './otel-contenders.js';

/** Sizes of the engine scenario, full and quick. */
export const ENGINE_SETTINGS = {
  full: { messagesPerRound: 50_000, rounds: 9, warmupRounds: 2 },
  quick: { messagesPerRound: 2_000, rounds: 1, warmupRounds: 1 },
} as const;

const CONTENDERS: readonly EngineContender[] = [
  handlerAlone,
  oncelyMemory,
  oncelyOtelOff,
  oncelyOtelOn,
  powertoolsMemory,
];

interface RoundFigures {
  /** µs per message over the whole round. */
  readonly newMicros: number;
  readonly duplicateMicros: number;
}

/**
 * Scenario "engine": the engines alone, in memory, one message at a time on one
 * core: oncely on `MemoryStore` against Powertools' `makeIdempotent` on a Map
 * persistence layer, beside the bare handler. Each round gives every contender a
 * fresh store and the same new messages, then the same messages again (duplicates).
 */
export const engineScenario: Scenario = {
  name: 'engine',
  title: 'The engines alone, in memory (one message at a time, one core)',
  needs: [],
  run: runEngine,
};

async function runEngine(context: BenchContext): Promise<ScenarioReport> {
  const settings = context.quick ? ENGINE_SETTINGS.quick : ENGINE_SETTINGS.full;
  const rounds = new Map<string, RoundFigures[]>(CONTENDERS.map((c) => [c.name, []]));
  const total = settings.warmupRounds + settings.rounds;
  for (let round = 0; round < total; round++) {
    const warmup = round < settings.warmupRounds;
    const messages = makeMessages(round, settings.messagesPerRound);
    // Rotate the order each round, so a slow phase of a shared machine hits everyone.
    for (let index = 0; index < CONTENDERS.length; index++) {
      const contender = CONTENDERS[(round + index) % CONTENDERS.length] as EngineContender;
      const figures = await runRound(contender, messages);
      if (!warmup) rounds.get(contender.name)?.push(figures);
    }
    context.log(`engine: round ${round + 1}/${total}${warmup ? ' (warmup)' : ''} done`);
  }
  return buildReport(rounds, settings);
}

async function runRound(
  contender: EngineContender,
  messages: readonly EngineMessage[],
): Promise<RoundFigures> {
  let handlerRuns = 0;
  const processOnce = contender.create(async (message) => {
    handlerRuns++;
    return message.amount * 2;
  });
  const newMs = await timeSequential(messages, processOnce);
  expectRuns(contender, 'new', handlerRuns, messages.length);
  const duplicateMs = await timeSequential(messages, processOnce);
  expectRuns(contender, 'duplicate', handlerRuns, messages.length * (contender.dedups ? 1 : 2));
  return {
    newMicros: (newMs * 1000) / messages.length,
    duplicateMicros: (duplicateMs * 1000) / messages.length,
  };
}

/** A contender that runs the handler a wrong number of times is broken, not fast. */
function expectRuns(contender: EngineContender, pass: string, actual: number, expected: number) {
  if (actual !== expected) {
    throw new Error(
      `${contender.name} ran the handler ${actual} times after the ${pass} pass, expected ${expected}`,
    );
  }
}

function makeMessages(round: number, count: number): EngineMessage[] {
  return Array.from({ length: count }, (_, index) => ({
    id: `round-${round}-message-${index}`,
    amount: index,
  }));
}

function buildReport(
  rounds: ReadonlyMap<string, readonly RoundFigures[]>,
  settings: (typeof ENGINE_SETTINGS)[keyof typeof ENGINE_SETTINGS],
): ScenarioReport {
  const medianOf = (name: string, pick: (figures: RoundFigures) => number) =>
    median((rounds.get(name) ?? []).map(pick));
  const bare = {
    new: medianOf(handlerAlone.name, (f) => f.newMicros),
    duplicate: medianOf(handlerAlone.name, (f) => f.duplicateMicros),
  };
  const rows = CONTENDERS.map((contender) => {
    const newMicros = medianOf(contender.name, (f) => f.newMicros);
    const duplicateMicros = medianOf(contender.name, (f) => f.duplicateMicros);
    const isBare = contender === handlerAlone;
    return {
      contender: contender.name,
      figures: {
        newPerSecond: 1e6 / newMicros,
        newMicros,
        newOverhead: isBare ? undefined : newMicros - bare.new,
        duplicatePerSecond: 1e6 / duplicateMicros,
        duplicateMicros,
        duplicateOverhead: isBare ? undefined : duplicateMicros - bare.duplicate,
      },
    };
  });
  const oncely = rows.find((row) => row.contender === oncelyMemory.name)?.figures;
  const powertools = rows.find((row) => row.contender === powertoolsMemory.name)?.figures;
  return {
    scenario: 'engine',
    title: engineScenario.title,
    baseline: powertoolsMemory.name,
    columns: [
      { key: 'newPerSecond', header: 'new msg/s', ratio: true },
      { key: 'newMicros', header: 'new µs/msg', digits: 2 },
      { key: 'newOverhead', header: 'new overhead µs', digits: 2 },
      { key: 'duplicatePerSecond', header: 'duplicate msg/s', ratio: true },
      { key: 'duplicateMicros', header: 'duplicate µs/msg', digits: 2 },
      { key: 'duplicateOverhead', header: 'duplicate overhead µs', digits: 2 },
    ],
    rows,
    targets: [
      ...(oncely && powertools ? engineTargets(oncely, powertools) : []),
      ...otelTargets(rows),
    ],
    settings: { ...settings, handler: 'async (message) => message.amount * 2' },
    notes: [
      `${settings.messagesPerRound.toLocaleString('en-US')} messages per round, median of ${settings.rounds} rounds after ${settings.warmupRounds} warmup rounds; each round starts from an empty store.`,
      'µs/msg: the round’s wall time divided by its messages, one message awaited at a time. Overhead: minus the handler alone.',
      'Duplicates: the same messages a second time; the handler does not run (checked every round).',
      'OpenTelemetry rows: `openTelemetry()` as the telemetry, each run inside its message scope as an adapter opens it; “no SDK” registers nothing (the API’s no-ops), “SDK recording” records every span (a no-op processor drops it) and aggregates every metric point. Ratios are to “oncely (MemoryStore)”.',
    ],
  };
}

type Figures = Readonly<Record<string, number | undefined>>;

function engineTargets(oncely: Figures, powertools: Figures): TargetCheck[] {
  const micros = (value: number | undefined) => `${(value ?? Number.NaN).toFixed(2)} µs`;
  const share = (mine: number | undefined, theirs: number | undefined) =>
    (mine ?? Number.NaN) / (theirs ?? Number.NaN);
  const newShare = share(oncely.newOverhead, powertools.newOverhead);
  const duplicateShare = share(oncely.duplicateOverhead, powertools.duplicateOverhead);
  return [
    {
      figure: 'oncely, new message, µs/msg (median)',
      target: '≤ 5 µs',
      actual: micros(oncely.newMicros),
      met: (oncely.newMicros ?? Number.POSITIVE_INFINITY) <= 5,
    },
    {
      figure: 'oncely, duplicate, µs/msg (median)',
      target: '≤ 2 µs',
      actual: micros(oncely.duplicateMicros),
      met: (oncely.duplicateMicros ?? Number.POSITIVE_INFINITY) <= 2,
    },
    {
      figure: 'oncely overhead / Powertools overhead, new message',
      target: '≤ 0.10',
      actual: newShare.toFixed(3),
      met: newShare <= 0.1,
    },
    {
      figure: 'oncely overhead / Powertools overhead, duplicate',
      target: '≤ 0.10',
      actual: duplicateShare.toFixed(3),
      met: duplicateShare <= 0.1,
    },
  ];
}

/** What OpenTelemetry costs over plain oncely: off (no SDK) and on, new messages and duplicates. */
function otelTargets(rows: readonly { contender: string; figures: Figures }[]): TargetCheck[] {
  const figuresOf = (name: string) => rows.find((row) => row.contender === name)?.figures;
  const plain = figuresOf(oncelyMemory.name);
  const off = figuresOf(oncelyOtelOff.name);
  const on = figuresOf(oncelyOtelOn.name);
  if (!plain || !off || !on) return [];
  const ratio = (mine: Figures, key: string) =>
    (mine[key] ?? Number.NaN) / (plain[key] ?? Number.NaN);
  const check = (label: string, mine: Figures, key: string, limit: number | undefined) => {
    const value = ratio(mine, key);
    return {
      figure: `${label} / plain oncely, ${key === 'newMicros' ? 'new message' : 'duplicate'} (µs/msg ratio)`,
      target: limit === undefined ? 'reported' : `≤ ${limit.toFixed(2)}`,
      actual: `${value.toFixed(3)} (${(mine[key] ?? Number.NaN).toFixed(2)} µs)`,
      met: limit === undefined ? true : value <= limit,
    };
  };
  return [
    check('OpenTelemetry, no SDK', off, 'newMicros', 1.1),
    check('OpenTelemetry, no SDK', off, 'duplicateMicros', 1.1),
    check('OpenTelemetry, SDK recording', on, 'newMicros', undefined),
    check('OpenTelemetry, SDK recording', on, 'duplicateMicros', undefined),
  ];
}
