import { countRequests } from '@oncely/test-support/request-counter';
import { BenchTables, benchDynamoClient } from '../contenders/dynamodb-tables.js';
import {
  oncelyNormal,
  oncelyPerMessage,
  oncelyTransactional,
  powertools,
  SQS_CONTENDERS,
  type SqsContender,
} from '../contenders/sqs-contenders.js';
import { startDelayProxy } from '../delay-proxy.js';
import type { BenchContext, Scenario, ScenarioReport, TargetCheck } from '../framework/scenario.js';
import { requireEndpoint } from '../framework/servers.js';
import { type PhaseSummary, summarizePhases } from '../measure/phase.js';
import {
  type BatchRequests,
  failureNotes,
  type LambdaEntry,
  lambdaTable,
  prepareEntry,
  probeBatchRequests,
  type RoundSettings,
  runRounds,
} from './lambda-rounds.js';
import { cpuTarget, p99Target, throughputTarget } from './lambda-targets.js';

/** Sizes of the Lambda SQS scenarios, full and quick. */
export const LAMBDA_SQS_SETTINGS = {
  full: { batchesPerRound: 100, rounds: 5, warmupBatches: 20 },
  quick: { batchesPerRound: 8, rounds: 1, warmupBatches: 4 },
} as const;

/** Slow variants run this share of the batches, to keep the whole bench short. */
const SLOW_VARIANT_SHARE = 0.5;

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
      const prepared: LambdaEntry[] = [];
      try {
        for (const contender of SQS_CONTENDERS) {
          prepared.push(await prepare(contender, proxy?.endpoint ?? server, tables, settings));
        }
        return await measure(variant, context, settings, prepared);
      } finally {
        for (const entry of prepared) await entry.close();
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
  settings: RoundSettings,
): Promise<LambdaEntry> {
  // Each contender has its own client (and connection pool), shared by its instances.
  const client = benchDynamoClient(endpoint);
  const tableName =
    contender.table === 'powertools'
      ? await tables.create('powertools', { key: 'id', expiresAt: 'expiration' })
      : contender.table === 'oncely'
        ? await tables.create('oncely')
        : '';
  return prepareEntry(
    {
      name: contender.name,
      handlerRuns: contender.handlerRuns,
      requests: countRequests(client),
      close: () => client.destroy(),
    },
    settings.invocationsInFlight,
    (work, reportFailure) => contender.createInstance({ client, tableName, reportFailure }, work),
  );
}

async function measure(
  variant: LambdaSqsVariant,
  context: BenchContext,
  settings: RoundSettings,
  prepared: readonly LambdaEntry[],
): Promise<ScenarioReport> {
  const result = await runRounds(variant.name, prepared, settings, context.log);
  const { phases, failures, duplicateShare, expectedRequests } = result;
  const summaries = new Map([...phases].map(([name, list]) => [name, summarizePhases(list)]));
  const perBatch = await probeBatchRequests(
    prepared.find((entry) => entry.name === oncelyNormal.name) as LambdaEntry,
    variant.name,
  );
  return {
    scenario: variant.name,
    title: variant.title,
    baseline: powertools.name,
    ...lambdaTable(result, { requestsHeader: 'DynamoDB req/msg' }),
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
    throughputTarget(summaries, oncelyNormal, powertools, 2.0),
    cpuTarget(summaries, oncelyNormal, powertools, 0.4),
    p99Target(summaries, oncelyNormal, powertools),
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
    throughputTarget(summaries, oncelyNormal, powertools, 1.3),
    p99Target(summaries, oncelyNormal, powertools),
    throughputTarget(summaries, oncelyTransactional, powertools, 1.6),
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
    throughputTarget(summaries, oncelyNormal, powertools, 1.0),
    p99Target(summaries, oncelyNormal, powertools),
    throughputTarget(summaries, oncelyTransactional, powertools, 1.6),
  ],
});
