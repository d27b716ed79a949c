import { countRequests, type RequestCounter } from '@oncely/test-support/request-counter';
import type { SQSRecord } from 'aws-lambda';
import { BenchTables, benchDynamoClient } from '../contenders/dynamodb-tables.js';
import { lambdaContext } from '../contenders/lambda-context.js';
import {
  type LambdaSqsHandler,
  oncelyNormal,
  oncelyPerMessage,
  oncelyTransactional,
  powertools,
  SQS_CONTENDERS,
  type SqsContender,
} from '../contenders/sqs-contenders.js';
import { buildSqsBatches, type SqsBatch } from '../contenders/sqs-events.js';
import { startDelayProxy } from '../delay-proxy.js';
import type {
  BenchContext,
  ContenderRow,
  Scenario,
  ScenarioReport,
  TargetCheck,
} from '../framework/scenario.js';
import { requireEndpoint } from '../framework/servers.js';
import { measurePhase, type Phase, type PhaseSummary, summarizePhases } from '../measure/phase.js';

/** Sizes of the Lambda SQS scenarios, full and quick. */
export const LAMBDA_SQS_SETTINGS = {
  full: { batchesPerRound: 100, rounds: 5, warmupBatches: 20 },
  quick: { batchesPerRound: 8, rounds: 1, warmupBatches: 4 },
} as const;

/** Slow variants run this share of the batches, to keep the whole bench short. */
const SLOW_VARIANT_SHARE = 0.5;

interface Settings {
  readonly batchesPerRound: number;
  readonly rounds: number;
  readonly warmupBatches: number;
  readonly invocationsInFlight: number;
}

/** What differs between the two Lambda SQS scenarios. */
interface LambdaSqsVariant {
  readonly name: string;
  readonly title: string;
  /** Added to every DynamoDB request by a TCP proxy; `undefined`: no proxy. */
  readonly delayMs: number | undefined;
  /**
   * Invocations in flight, each on its own handler instance: several saturate the
   * store and the cores; one is a single Lambda instance, whose batches wait on
   * their round trips.
   */
  readonly invocationsInFlight: number;
  /** Halve the batches per round (a long delay makes every batch slow). @default false */
  readonly slow?: boolean;
  readonly targets: (
    summaries: ReadonlyMap<string, PhaseSummary>,
    expected: number,
    perBatch: BatchRequests,
  ) => TargetCheck[];
}

/** DynamoDB requests of one batch of 10 under oncely (batched): all new, then all redelivered. */
interface BatchRequests {
  readonly fresh: number;
  readonly redelivered: number;
}

/** The record handler every contender runs: parse the order, compute with it. */
async function handleOrder(record: SQSRecord): Promise<number> {
  const order = JSON.parse(record.body) as { orderId: string; amount: number };
  return order.amount * 2 + order.orderId.length;
}

/** A contender ready to run: its instances, its request counter. */
interface Prepared {
  readonly contender: SqsContender;
  readonly instances: LambdaSqsHandler[];
  readonly requests: RequestCounter;
  runs: number;
  /** Records reported failed in this pass, with their causes. */
  readonly failures: { readonly messageId: string; readonly cause: string }[];
  readonly close: () => void;
}

function lambdaSqsScenario(variant: LambdaSqsVariant): Scenario {
  const scenario: Scenario = {
    name: variant.name,
    title: variant.title,
    needs: ['dynamodb'],
    async run(context) {
      const sizes = context.quick ? LAMBDA_SQS_SETTINGS.quick : LAMBDA_SQS_SETTINGS.full;
      const settings = {
        ...sizes,
        batchesPerRound:
          variant.slow && !context.quick
            ? Math.round(sizes.batchesPerRound * SLOW_VARIANT_SHARE)
            : sizes.batchesPerRound,
        invocationsInFlight: variant.invocationsInFlight,
      };
      const server = requireEndpoint(context.servers, 'dynamodb', variant.name);
      const proxy =
        variant.delayMs === undefined
          ? undefined
          : await startDelayProxy({ target: server, delayMs: variant.delayMs });
      const admin = benchDynamoClient(server);
      const tables = new BenchTables(admin, variant.name);
      const prepared: Prepared[] = [];
      try {
        for (const contender of SQS_CONTENDERS) {
          prepared.push(await prepare(contender, proxy?.endpoint ?? server, tables, settings));
        }
        return await measure(variant, context, settings, prepared);
      } finally {
        for (const entry of prepared) entry.close();
        await tables.dropAll();
        admin.destroy();
        await proxy?.close();
      }
    },
  };
  return scenario;
}

async function prepare(
  contender: SqsContender,
  endpoint: string,
  tables: BenchTables,
  settings: Settings,
): Promise<Prepared> {
  // Each contender has its own client (and connection pool), shared by its instances.
  const client = benchDynamoClient(endpoint);
  const tableName =
    contender.table === 'powertools'
      ? await tables.create('powertools', { key: 'id', expiresAt: 'expiration' })
      : contender.table === 'oncely'
        ? await tables.create('oncely')
        : '';
  const entry: Prepared = {
    contender,
    requests: countRequests(client),
    runs: 0,
    failures: [],
    instances: [],
    close: () => client.destroy(),
  };
  const work = (record: SQSRecord) => {
    entry.runs++;
    return handleOrder(record);
  };
  for (let index = 0; index < settings.invocationsInFlight; index++) {
    const reportFailure = (messageId: string, cause: unknown) => {
      entry.failures.push({ messageId, cause: describeCause(cause) });
    };
    entry.instances.push(contender.createInstance({ client, tableName, reportFailure }, work));
  }
  return entry;
}

async function measure(
  variant: LambdaSqsVariant,
  context: BenchContext,
  settings: Settings,
  prepared: readonly Prepared[],
): Promise<ScenarioReport> {
  const phases = new Map<string, Phase[]>(prepared.map((entry) => [entry.contender.name, []]));
  const failures = new Map<string, string[]>(prepared.map((entry) => [entry.contender.name, []]));
  let expectedRequests = Number.NaN;
  let duplicateShare = Number.NaN;
  const rounds = settings.rounds + 1;
  for (let round = 0; round < rounds; round++) {
    const warmup = round === 0;
    const plan = buildSqsBatches({
      round: `${variant.name}-r${round}`,
      batches: warmup ? settings.warmupBatches : settings.batchesPerRound,
      settledGap: settings.invocationsInFlight,
    });
    const total = plan.unique + plan.duplicates;
    // Claim mode: a new message costs 2 requests, a duplicate 1.
    expectedRequests = (2 * plan.unique + plan.duplicates) / total;
    duplicateShare = plan.duplicates / total;
    for (let index = 0; index < prepared.length; index++) {
      // Rotate the order each round, so a busy moment of the machine hits everyone.
      const entry = prepared[(round + index) % prepared.length] as Prepared;
      const phase = await runContender(entry, plan.batches, settings, {
        unique: plan.unique,
        total,
      });
      if (!warmup) {
        phases.get(entry.contender.name)?.push(phase);
        failures.get(entry.contender.name)?.push(...entry.failures.map((f) => f.cause));
      }
    }
    context.log(`${variant.name}: round ${round + 1}/${rounds}${warmup ? ' (warmup)' : ''} done`);
  }
  const summaries = new Map([...phases].map(([name, list]) => [name, summarizePhases(list)]));
  const perBatch = await probeBatchRequests(
    prepared.find((entry) => entry.contender === oncelyNormal) as Prepared,
    variant.name,
  );
  return {
    scenario: variant.name,
    title: variant.title,
    baseline: powertools.name,
    columns: [
      { key: 'perSecond', header: 'msg/s', ratio: true },
      { key: 'p50', header: 'p50 batch ms', digits: 1 },
      { key: 'p99', header: 'p99 batch ms', digits: 1 },
      { key: 'requests', header: 'DynamoDB req/msg', digits: 2 },
      { key: 'cpu', header: 'CPU ms/msg', digits: 3 },
      { key: 'failed', header: 'failed records' },
    ],
    rows: [...summaries].map(
      ([contender, summary]): ContenderRow => ({
        contender,
        figures: {
          perSecond: summary.perSecond,
          p50: summary.p50Ms,
          p99: summary.p99Ms,
          requests: summary.requestsPerMessage,
          cpu: summary.cpuMsPerMessage,
          failed: failures.get(contender)?.length ?? 0,
        },
      }),
    ),
    targets: variant.targets(summaries, expectedRequests, perBatch),
    settings: {
      ...settings,
      batchSize: 10,
      duplicateShare,
      delayMs: variant.delayMs ?? 0,
      handler: 'JSON.parse(record.body), then amount * 2 + orderId.length',
    },
    notes: [
      `${settings.batchesPerRound} batches of 10 records per round (${(duplicateShare * 100).toFixed(1)}% redeliveries of finished messages), ${settings.invocationsInFlight} invocations in flight (one handler instance each), median msg/s of ${settings.rounds} rounds after a warmup round; every round sends new message IDs, the same to every contender.`,
      variant.delayMs === undefined
        ? 'Straight to DynamoDB Local on 127.0.0.1: CPU (this process and the server’s JVM, on the same cores) and the store bound the figures.'
        : `Every DynamoDB request crosses a TCP proxy that holds it ${variant.delayMs} ms (like an AWS round trip), so round trips bound the figures.`,
      'Batch latency: one invocation, from the event to the batch response. req/msg: HTTP requests counted by a client middleware. CPU ms/msg: this process (the handler side) only.',
      `Requests per batch of 10 under ${oncelyNormal.name}, counted once after the rounds: ${perBatch.fresh} for 10 new messages, ${perBatch.redelivered} for the same 10 redelivered. The timed batches mix both (a batch with new and redelivered records costs 3: the INSERT round, the UPDATE round for the existing keys, the completions).`,
      'Checked each round: the handler ran once per unique message under oncely (claim mode) and Powertools, and for every delivery without dedup and in transactional mode (which runs a redelivery’s handler and discards its effects at the commit), never more. Failed records: reported in batchItemFailures (SQS would redeliver them), over the timed rounds.',
      ...failureNotes(failures),
    ],
  };
}

/** Counts the requests of one batch of 10 new records, then of its redelivery. */
async function probeBatchRequests(entry: Prepared, name: string): Promise<BatchRequests> {
  const { batches } = buildSqsBatches({
    round: `${name}-probe`,
    batches: 1,
    settledGap: 1,
    duplicatesPerBatch: 0,
  });
  const event = (batches[0] as SqsBatch).event;
  const instance = entry.instances[0] as LambdaSqsHandler;
  entry.requests.reset();
  await instance(event, lambdaContext());
  const fresh = entry.requests.total;
  entry.requests.reset();
  await instance(event, lambdaContext());
  return { fresh, redelivered: entry.requests.total };
}

async function runContender(
  entry: Prepared,
  batches: readonly SqsBatch[],
  settings: Settings,
  counts: { readonly unique: number; readonly total: number },
): Promise<Phase> {
  // Failures are kept on the entry for the caller; they do not make a pass invalid.
  entry.runs = 0;
  entry.failures.length = 0;
  const free = [...entry.instances];
  const finished = batches.map(() => deferred());
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
        return after === undefined ? undefined : finished[after]?.promise;
      },
    },
  );
  const expectedRuns = entry.contender.handlerRuns === 'unique' ? counts.unique : counts.total;
  const failed = entry.failures.length;
  // A failed record is redelivered later, so it is no error of the bench; but a handler
  // that ran more often than the messages allow is a double effect, and fewer runs than
  // the successes need is a lost message.
  if (entry.runs > expectedRuns || entry.runs < expectedRuns - failed) {
    throw new Error(
      `${entry.contender.name}: the handler ran ${entry.runs} times, expected ${expectedRuns} (${failed} records failed)`,
    );
  }
  return phase;
}

/** One line per contender whose records failed, with each distinct cause and its count. */
function failureNotes(failures: ReadonlyMap<string, readonly string[]>): string[] {
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

const perSecond = (summaries: ReadonlyMap<string, PhaseSummary>, contender: SqsContender) =>
  summaries.get(contender.name)?.perSecond ?? Number.NaN;
const p99 = (summaries: ReadonlyMap<string, PhaseSummary>, contender: SqsContender) =>
  summaries.get(contender.name)?.p99Ms ?? Number.NaN;

function throughputTarget(
  summaries: ReadonlyMap<string, PhaseSummary>,
  contender: SqsContender,
  atLeast: number,
): TargetCheck {
  const ratio = perSecond(summaries, contender) / perSecond(summaries, powertools);
  return {
    figure: `${contender.name} msg/s vs Powertools`,
    target: `≥ ${atLeast.toFixed(1)}x`,
    actual: `${ratio.toFixed(2)}x`,
    met: ratio >= atLeast,
  };
}

function p99Target(
  summaries: ReadonlyMap<string, PhaseSummary>,
  contender: SqsContender,
): TargetCheck {
  const mine = p99(summaries, contender);
  const theirs = p99(summaries, powertools);
  return {
    figure: `${contender.name} p99 batch latency vs Powertools`,
    target: 'no worse',
    actual: `${mine.toFixed(1)} ms vs ${theirs.toFixed(1)} ms`,
    met: mine <= theirs,
  };
}

function requestsTarget(
  summaries: ReadonlyMap<string, PhaseSummary>,
  contender: SqsContender,
  expected: number,
  wanted: string,
): TargetCheck {
  const actual = summaries.get(contender.name)?.requestsPerMessage ?? Number.NaN;
  return {
    figure: `${contender.name} DynamoDB requests per message`,
    target: wanted,
    actual: actual.toFixed(2),
    met: Math.abs(actual - expected) < 0.005,
  };
}

function cpuTarget(
  summaries: ReadonlyMap<string, PhaseSummary>,
  contender: SqsContender,
  atMost: number,
): TargetCheck {
  const cpu = (of: SqsContender) => summaries.get(of.name)?.cpuMsPerMessage ?? Number.NaN;
  const ratio = cpu(contender) / cpu(powertools);
  return {
    figure: `${contender.name} client CPU per message vs Powertools`,
    target: `≤ ${atMost.toFixed(1)}x`,
    actual: `${ratio.toFixed(2)}x (${cpu(contender).toFixed(3)} vs ${cpu(powertools).toFixed(3)} ms)`,
    met: ratio <= atMost,
  };
}

function perBatchTargets(contender: SqsContender, perBatch: BatchRequests): TargetCheck[] {
  return [
    {
      figure: `${contender.name} DynamoDB requests, batch of 10 new messages`,
      target: '2',
      actual: String(perBatch.fresh),
      met: perBatch.fresh <= 2,
    },
    {
      figure: `${contender.name} DynamoDB requests, batch of 10 redeliveries`,
      target: '≤ 2',
      actual: String(perBatch.redelivered),
      met: perBatch.redelivered <= 2,
    },
  ];
}

/** Scenario "lambda-sqs" (CPU and store bound). */
export const lambdaSqsDirectScenario = lambdaSqsScenario({
  name: 'lambda-sqs',
  title: 'Lambda SQS batches on DynamoDB Local (CPU and store bound)',
  delayMs: undefined,
  invocationsInFlight: 4,
  targets: (summaries, expected, perBatch) => [
    throughputTarget(summaries, oncelyNormal, 2.0),
    cpuTarget(summaries, oncelyNormal, 0.4),
    p99Target(summaries, oncelyNormal),
    ...perBatchTargets(oncelyNormal, perBatch),
    requestsTarget(
      summaries,
      oncelyPerMessage,
      expected,
      `new 2, duplicate 1: ${expected.toFixed(2)} at this mix`,
    ),
    requestsTarget(summaries, oncelyTransactional, 1, '1'),
  ],
});

/** Scenario "lambda-sqs-latency" (round trips bound). */
export const lambdaSqsLatencyScenario = lambdaSqsScenario({
  name: 'lambda-sqs-latency',
  title:
    'Lambda SQS batches, one instance, 5 ms added to every DynamoDB request (round trips bound)',
  delayMs: 5,
  invocationsInFlight: 1,
  targets: (summaries) => [
    throughputTarget(summaries, oncelyNormal, 1.3),
    p99Target(summaries, oncelyNormal),
    throughputTarget(summaries, oncelyTransactional, 1.6),
  ],
});

/**
 * Scenario "lambda-sqs-latency-20ms": the same with 20 ms per request, where the
 * round trips clearly outweigh DynamoDB Local's and the SDK's time per request on a
 * small machine (at 5 ms they do not, there).
 */
export const lambdaSqsLatency20Scenario = lambdaSqsScenario({
  name: 'lambda-sqs-latency-20ms',
  title:
    'Lambda SQS batches, one instance, 20 ms added to every DynamoDB request (round trips dominate)',
  delayMs: 20,
  invocationsInFlight: 1,
  slow: true,
  targets: (summaries) => [
    throughputTarget(summaries, oncelyNormal, 1.0),
    p99Target(summaries, oncelyNormal),
    throughputTarget(summaries, oncelyTransactional, 1.6),
  ],
});
