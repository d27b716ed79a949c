import {
  oncelyIoredis,
  oncelyRedis,
  oncelyRedisPerMessage,
  oncelyRedisShared,
  powertoolsRedis,
  powertoolsRedisShared,
  REDIS_SQS_CONTENDERS,
} from '../contenders/redis-contenders.js';
import { startBenchRedis } from '../framework/redis.js';
import type { BenchContext, Scenario, ScenarioReport, TargetCheck } from '../framework/scenario.js';
import { summarizePhases } from '../measure/phase.js';
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

const NAME = 'lambda-sqs-redis';

/**
 * Sizes of the scenario, full and quick. Ten times `lambda-sqs`'s batches: a Redis pass is
 * that much faster, and a pass of a tenth of a second would be one GC pause's figure.
 */
export const LAMBDA_SQS_REDIS_SETTINGS = {
  full: { batchesPerRound: 1000, rounds: 5, warmupBatches: 300 },
  quick: { batchesPerRound: 8, rounds: 1, warmupBatches: 4 },
} as const;

/**
 * Scenario "lambda-sqs-redis": the Lambda SQS batches of `lambda-sqs`, with oncely's
 * `RedisStore` beside Powertools' Redis persistence layer (`CachePersistenceLayer`), on
 * one private redis-server: the same events, the same handler, four invocations in flight.
 */
export const lambdaSqsRedisScenario: Scenario = {
  name: NAME,
  title: 'Lambda SQS batches on Redis: oncely RedisStore beside Powertools CachePersistenceLayer',
  needs: [],
  async run(context) {
    const sizes = context.quick ? LAMBDA_SQS_REDIS_SETTINGS.quick : LAMBDA_SQS_REDIS_SETTINGS.full;
    const settings: RoundSettings = { ...sizes, invocationsInFlight: 4 };
    const redis = await startBenchRedis();
    const entries: LambdaEntry[] = [];
    try {
      for (const contender of REDIS_SQS_CONTENDERS) {
        const connection = await contender.connect(redis.url, settings.invocationsInFlight);
        entries.push(
          prepareEntry(
            {
              name: contender.name,
              handlerRuns: contender.handlerRuns,
              requests: connection.requests,
              roundTrips: () => redis.roundTrips(),
              close: () => connection.close(),
            },
            settings.invocationsInFlight,
            (work, reportFailure) => connection.createInstance(work, reportFailure),
          ),
        );
      }
      return await measure(context, settings, entries);
    } finally {
      for (const entry of entries) await entry.close();
      await redis.stop();
    }
  },
};

async function measure(
  context: BenchContext,
  settings: RoundSettings,
  entries: readonly LambdaEntry[],
): Promise<ScenarioReport> {
  const result = await runRounds(NAME, entries, settings, context.log);
  const { phases, failures, duplicateShare } = result;
  const summaries = new Map([...phases].map(([name, list]) => [name, summarizePhases(list)]));
  const probes = new Map<string, BatchRequests>();
  for (const contender of [oncelyRedis, powertoolsRedis]) {
    const entry = entries.find((candidate) => candidate.name === contender.name) as LambdaEntry;
    probes.set(contender.name, await probeBatchRequests(entry, `${NAME}-${probes.size}`));
  }
  const perSecond = (contender: { readonly name: string }) =>
    summaries.get(contender.name)?.perSecond ?? Number.NaN;
  const ratio = (name: string) => perSecond(oncelyRedis) / perSecond({ name });
  const sharedRatio = perSecond(oncelyRedisShared) / perSecond(powertoolsRedisShared);
  return {
    scenario: NAME,
    title: lambdaSqsRedisScenario.title,
    baseline: powertoolsRedis.name,
    ...lambdaTable(result, { requestsHeader: 'Redis commands/msg', roundTrips: true }),
    targets: [
      throughputTarget(summaries, oncelyRedis, powertoolsRedis, 1.5),
      throughputTarget(summaries, oncelyIoredis, powertoolsRedis, 1.5),
      throughputTarget(summaries, oncelyRedisShared, powertoolsRedisShared, 1.5),
      cpuTarget(summaries, oncelyRedis, powertoolsRedis, 0.5),
      p99Target(summaries, oncelyRedis, powertoolsRedis),
      ...probeTargets(probes.get(oncelyRedis.name)),
    ],
    settings: {
      ...settings,
      batchSize: 10,
      duplicateShare,
      handler: 'JSON.parse(record.body), then amount * 2 + orderId.length',
    },
    notes: [
      `${settings.batchesPerRound} batches of 10 records per round (${(duplicateShare * 100).toFixed(1)}% redeliveries of finished messages), ${settings.invocationsInFlight} invocations in flight (one handler instance each), median msg/s of ${settings.rounds} rounds after a warmup round; every round sends new message IDs, the same to every contender. oncely (batched, node-redis) is ${ratio(powertoolsRedis.name).toFixed(2)}x Powertools here, and ${ratio(oncelyRedisPerMessage.name).toFixed(2)}x itself with batching off.`,
      'One private redis-server on 127.0.0.1 (no persistence), the contenders one at a time, each handler instance with its own connection, as each Lambda execution environment opens its own (node-redis 6 for Powertools, as its cache layer takes): CPU (this process and redis-server, on the same cores) bounds the figures.',
      `The two "one shared connection" rows give the ${settings.invocationsInFlight} instances one node-redis connection, as in one long-running process: node-redis writes every command issued in the same event-loop turn together, so the instances reach the server, and get their replies, in lockstep, and the process waits on the server more. oncely is ${sharedRatio.toFixed(2)}x Powertools there.`,
      'Redis commands/msg: counted on each contender’s client. Round trips/msg: the server’s read events (INFO total_reads_processed) over the timed rounds: one per pipeline or lone command a client wrote, so commands that node-redis wrote together in one event-loop turn (its automatic pipelining, which helps Powertools’ concurrent records too) count once. CPU ms/msg: this process only.',
      ...[...probes].map(
        ([name, probe]) =>
          `Per batch of 10 under ${name}, counted once after the rounds: ${probe.fresh} commands in ${probe.freshRoundTrips} round trips for 10 new messages, ${probe.redelivered} in ${probe.redeliveredRoundTrips} for the same 10 redelivered.`,
      ),
      'Checked each round: the handler ran once per unique message under oncely and Powertools, and for every delivery without dedup, never more. Failed records: reported in batchItemFailures (SQS would redeliver them), over the timed rounds.',
      ...failureNotes(failures),
    ],
  };
}

function probeTargets(probe: BatchRequests | undefined): TargetCheck[] {
  const fresh = probe?.freshRoundTrips ?? Number.NaN;
  const redelivered = probe?.redeliveredRoundTrips ?? Number.NaN;
  return [
    {
      figure: `${oncelyRedis.name} round trips, batch of 10 new messages`,
      target: '2',
      actual: String(fresh),
      met: fresh <= 2,
    },
    {
      figure: `${oncelyRedis.name} round trips, batch of 10 redeliveries`,
      target: '1',
      actual: String(redelivered),
      met: redelivered <= 1,
    },
  ];
}
