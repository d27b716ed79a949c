/**
 * The store-independent half of the Lambda SQS scenarios: contenders' instances, the timed
 * rounds over the same SQS batches, and the checks that no message ran twice or got lost.
 * `lambda-sqs` (DynamoDB) and `lambda-sqs-redis` each prepare their contenders and build
 * their own report from what this returns.
 */

import type { RequestCounter } from '@oncely/test-support/request-counter';
import type { SQSRecord } from 'aws-lambda';
import { lambdaContext } from '../contenders/lambda-context.js';
import type { LambdaSqsHandler, RecordWork } from '../contenders/sqs-contenders.js';
import { buildSqsBatches, type SqsBatch } from '../contenders/sqs-events.js';
import type { ContenderRow, FigureColumn, ScenarioReport } from '../framework/scenario.js';
import { measurePhase, type Phase, summarizePhases } from '../measure/phase.js';

/** The sizes of one Lambda SQS run. */
export interface RoundSettings {
  readonly batchesPerRound: number;
  readonly rounds: number;
  readonly warmupBatches: number;
  readonly invocationsInFlight: number;
}

/** The record handler every contender runs: parse the order, compute with it. */
export async function handleOrder(record: SQSRecord): Promise<number> {
  const order = JSON.parse(record.body) as { orderId: string; amount: number };
  return order.amount * 2 + order.orderId.length;
}

/** A contender ready to run: its instances and counters. */
export interface LambdaEntry {
  readonly name: string;
  /** Whom the handler runs for: once per unique message, or every delivery. */
  readonly handlerRuns: 'unique' | 'every delivery';
  readonly instances: LambdaSqsHandler[];
  /** Counts the requests (or commands) the contender sends; reset at each pass. */
  readonly requests: RequestCounter;
  /**
   * Round trips as the server counted them, monotonic, when the server can tell (a
   * private Redis): read before and after each pass, outside its timing.
   */
  readonly roundTrips?: () => Promise<number>;
  runs: number;
  /** Records reported failed in this pass, with their causes. */
  readonly failures: { readonly messageId: string; readonly cause: string }[];
  readonly close: () => Promise<void> | void;
}

/** What {@link prepareEntry} needs besides the instances. */
export interface EntrySpec {
  readonly name: string;
  readonly handlerRuns: LambdaEntry['handlerRuns'];
  readonly requests: RequestCounter;
  readonly roundTrips?: () => Promise<number>;
  readonly close: () => Promise<void> | void;
}

/**
 * Makes a contender's entry with `invocations` instances, each from `create`, which gets
 * the counted work and where to report each failed record.
 */
export function prepareEntry(
  spec: EntrySpec,
  invocations: number,
  create: (
    work: RecordWork,
    reportFailure: (messageId: string, cause: unknown) => void,
  ) => LambdaSqsHandler,
): LambdaEntry {
  const entry: LambdaEntry = { ...spec, runs: 0, failures: [], instances: [] };
  const work = (record: SQSRecord) => {
    entry.runs++;
    return handleOrder(record);
  };
  const reportFailure = (messageId: string, cause: unknown) => {
    entry.failures.push({ messageId, cause: describeCause(cause) });
  };
  for (let index = 0; index < invocations; index++) {
    entry.instances.push(create(work, reportFailure));
  }
  return entry;
}

/** What the timed rounds measured, per contender. */
export interface RoundsResult {
  readonly phases: ReadonlyMap<string, readonly Phase[]>;
  /** Causes of the records reported failed in the timed rounds. */
  readonly failures: ReadonlyMap<string, readonly string[]>;
  /** Server-counted round trips over the timed rounds, for entries that count them. */
  readonly roundTrips: ReadonlyMap<string, number>;
  /** Share of the deliveries that were redeliveries of finished messages. */
  readonly duplicateShare: number;
  /** Requests per message of claim mode at this mix: 2 per new message, 1 per duplicate. */
  readonly expectedRequests: number;
}

/**
 * Runs a warmup round and `settings.rounds` timed rounds; every round sends new message
 * IDs (the same to every contender), and the contenders' order rotates each round so a
 * busy moment of the machine hits everyone.
 */
export async function runRounds(
  name: string,
  entries: readonly LambdaEntry[],
  settings: RoundSettings,
  log: (line: string) => void,
): Promise<RoundsResult> {
  const phases = new Map<string, Phase[]>(entries.map((entry) => [entry.name, []]));
  const failures = new Map<string, string[]>(entries.map((entry) => [entry.name, []]));
  const roundTrips = new Map<string, number>();
  let expectedRequests = Number.NaN;
  let duplicateShare = Number.NaN;
  const rounds = settings.rounds + 1;
  for (let round = 0; round < rounds; round++) {
    const warmup = round === 0;
    const plan = buildSqsBatches({
      round: `${name}-r${round}`,
      batches: warmup ? settings.warmupBatches : settings.batchesPerRound,
      settledGap: settings.invocationsInFlight,
    });
    const total = plan.unique + plan.duplicates;
    expectedRequests = (2 * plan.unique + plan.duplicates) / total;
    duplicateShare = plan.duplicates / total;
    for (let index = 0; index < entries.length; index++) {
      const entry = entries[(round + index) % entries.length] as LambdaEntry;
      const before = await entry.roundTrips?.();
      const phase = await runContender(entry, plan.batches, settings, {
        unique: plan.unique,
        total,
      });
      const after = await entry.roundTrips?.();
      if (!warmup) {
        phases.get(entry.name)?.push(phase);
        failures.get(entry.name)?.push(...entry.failures.map((f) => f.cause));
        if (before !== undefined && after !== undefined) {
          roundTrips.set(entry.name, (roundTrips.get(entry.name) ?? 0) + after - before);
        }
      }
    }
    log(`${name}: round ${round + 1}/${rounds}${warmup ? ' (warmup)' : ''} done`);
  }
  return { phases, failures, roundTrips, duplicateShare, expectedRequests };
}

/** What one batch of 10 costs a contender: for 10 new messages, then for their redelivery. */
export interface BatchRequests {
  /** Requests (or commands) counted on the client. */
  readonly fresh: number;
  readonly redelivered: number;
  /** Round trips counted by the server, for entries that count them. */
  readonly freshRoundTrips?: number;
  readonly redeliveredRoundTrips?: number;
}

/** Counts the requests (and round trips) of one batch of 10 new records, then of its redelivery. */
export async function probeBatchRequests(entry: LambdaEntry, name: string): Promise<BatchRequests> {
  const { batches } = buildSqsBatches({
    round: `${name}-probe`,
    batches: 1,
    settledGap: 1,
    duplicatesPerBatch: 0,
  });
  const event = (batches[0] as SqsBatch).event;
  const instance = entry.instances[0] as LambdaSqsHandler;
  const once = async () => {
    entry.requests.reset();
    const before = await entry.roundTrips?.();
    await instance(event, lambdaContext());
    const after = await entry.roundTrips?.();
    const roundTrips = before === undefined || after === undefined ? undefined : after - before;
    return { requests: entry.requests.total, roundTrips };
  };
  const fresh = await once();
  const redelivered = await once();
  return {
    fresh: fresh.requests,
    redelivered: redelivered.requests,
    ...(fresh.roundTrips === undefined ? {} : { freshRoundTrips: fresh.roundTrips }),
    ...(redelivered.roundTrips === undefined
      ? {}
      : { redeliveredRoundTrips: redelivered.roundTrips }),
  };
}

async function runContender(
  entry: LambdaEntry,
  batches: readonly SqsBatch[],
  settings: RoundSettings,
  counts: { readonly unique: number; readonly total: number },
): Promise<Phase> {
  // Failures are kept on the entry for the caller; they do not make a pass invalid.
  entry.runs = 0;
  entry.failures.length = 0;
  const free = [...entry.instances];
  const finished = batches.map(() => deferred());
  // A batch redelivers records of any batch up to its `after`, so it waits for all of them,
  // not for that one only: a slow earlier batch may still be running when a later one ends.
  const settledThrough: Promise<void>[] = [];
  finished.forEach(({ promise }, index) => {
    const before = settledThrough[index - 1];
    settledThrough.push(
      before === undefined ? promise : Promise.all([before, promise]).then(() => undefined),
    );
  });
  const phase = await measurePhase(
    batches,
    async (batch, index) => {
      const instance = free.pop() as LambdaSqsHandler;
      try {
        await instance(batch.event, lambdaContext());
      } finally {
        free.push(instance);
        finished[index]?.resolve();
      }
    },
    {
      concurrency: settings.invocationsInFlight,
      requests: entry.requests,
      messagesPerItem: 10,
      before: (index) => {
        const after = batches[index]?.after;
        return after === undefined ? undefined : settledThrough[after];
      },
    },
  );
  const expectedRuns = entry.handlerRuns === 'unique' ? counts.unique : counts.total;
  const failed = entry.failures.length;
  // A failed record is redelivered later, so it is no error of the bench; but a handler
  // that ran more often than the messages allow is a double effect, and fewer runs than
  // the successes need is a lost message.
  if (entry.runs > expectedRuns || entry.runs < expectedRuns - failed) {
    throw new Error(
      `${entry.name}: the handler ran ${entry.runs} times, expected ${expectedRuns} (${failed} records failed)`,
    );
  }
  return phase;
}

/** One line per contender whose records failed, with each distinct cause and its count. */
export function failureNotes(failures: ReadonlyMap<string, readonly string[]>): string[] {
  return [...failures]
    .filter(([, causes]) => causes.length > 0)
    .map(([contender, causes]) => {
      const counts = new Map<string, number>();
      for (const cause of causes) counts.set(cause, (counts.get(cause) ?? 0) + 1);
      const listed = [...counts].map(([cause, count]) => `${count}× ${cause}`).join('; ');
      return `Failed under ${contender}: ${listed}`;
    });
}

function describeCause(cause: unknown): string {
  if (!(cause instanceof Error)) return String(cause);
  const inner = cause.cause instanceof Error ? `: ${cause.cause.name}: ${cause.cause.message}` : '';
  return `${cause.name}: ${cause.message}${inner}`;
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = () => {};
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

/** What both Lambda SQS scenarios show about the requests: the header, and server round trips. */
export interface TableOptions {
  /** The header of the client-counted requests column, e.g. `DynamoDB req/msg`. */
  readonly requestsHeader: string;
  /** Add a column of the server-counted round trips per message. @default false */
  readonly roundTrips?: boolean;
}

/**
 * The columns and one row per contender of a Lambda SQS report: msg/s (with its ratio to
 * the baseline), batch latency, requests, round trips when counted, CPU and failed records.
 */
export function lambdaTable(
  result: RoundsResult,
  options: TableOptions,
): Pick<ScenarioReport, 'columns' | 'rows'> {
  const columns: FigureColumn[] = [
    { key: 'perSecond', header: 'msg/s', ratio: true },
    { key: 'p50', header: 'p50 batch ms', digits: 1 },
    { key: 'p99', header: 'p99 batch ms', digits: 1 },
    { key: 'requests', header: options.requestsHeader, digits: 2 },
    ...(options.roundTrips ? [{ key: 'roundTrips', header: 'round trips/msg', digits: 2 }] : []),
    { key: 'cpu', header: 'CPU ms/msg', digits: 3 },
    { key: 'failed', header: 'failed records' },
  ];
  const rows = [...result.phases].map(([contender, phases]): ContenderRow => {
    const summary = summarizePhases(phases);
    const messages = phases.reduce((sum, phase) => sum + phase.messages, 0);
    const roundTrips = result.roundTrips.get(contender);
    return {
      contender,
      figures: {
        perSecond: summary.perSecond,
        p50: summary.p50Ms,
        p99: summary.p99Ms,
        requests: summary.requestsPerMessage,
        ...(roundTrips === undefined ? {} : { roundTrips: roundTrips / messages }),
        cpu: summary.cpuMsPerMessage,
        failed: result.failures.get(contender)?.length ?? 0,
      },
    };
  });
  return { columns, rows };
}
