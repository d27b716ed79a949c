/**
 * The consumer check: oncely as a user installs it, not as the monorepo links it.
 *
 * Builds and packs every package, installs the tarballs into a fresh project in the temp
 * folder (outside the workspace, so no optional peer the monorepo has is in reach) with only
 * the `npm install` lines of the READMEs, and then:
 *
 * 1. imports every entry point from ESM and `require()`s it from CommonJS;
 * 2. type-checks a small program per package with `--strict --skipLibCheck false`, under
 *    `module: NodeNext` and under `moduleResolution: bundler`;
 * 3. bundles a Lambda SQS handler (sqs + dynamodb) with esbuild, as CommonJS and with the
 *    exact settings of `examples/lambda-sqs/template.yaml`, and invokes both bundles with an
 *    SQS event against DynamoDB Local;
 * 4. runs publint and `@arethetypeswrong/cli` on every tarball.
 *
 * It runs twice over the entry points: first with only each README's main install line (the
 * entries that need nothing more must work there, and the optional peers must be absent),
 * then after the README's extra lines (`# workers: npm install ...`) for every entry.
 *
 * Run: `npx tsx test/consumer/run.ts` (from `.ci/run`, after the tests). Exits non-zero on
 * the first failure, with the failing command's output.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type BuildOptions, build } from 'esbuild';
import { type RunningServers, startServers } from '../servers/index.js';

const execFileAsync = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));
const PACKAGES = [
  'core',
  'dynamodb',
  'postgres',
  'sqs',
  'kafka',
  'webhook',
  'telemetry',
  'redis',
  'cli',
  'cdk',
] as const;

/**
 * Every entry point, and whether it must work with only the main install lines (`base`) or
 * needs a README's extra line (`extras`). The check fails if a package exports an entry that
 * is not listed here, so a new entry point cannot skip it.
 */
const ENTRIES: Record<string, 'base' | 'extras' | 'vitest'> = {
  '@oncely/core': 'base',
  // Test suites: vitest refuses to load outside its runner, so these are loaded by a test
  // file run with the project's own vitest (ESM, as vitest loads every test file).
  '@oncely/core/testing': 'vitest',
  '@oncely/core/adapter': 'base',
  '@oncely/dynamodb': 'base',
  '@oncely/dynamodb/watermark': 'base',
  '@oncely/postgres': 'base',
  '@oncely/sqs': 'base',
  '@oncely/sqs/testing': 'base',
  '@oncely/sqs/middy': 'extras',
  '@oncely/sqs/worker': 'extras',
  '@oncely/sqs/testing/sqs-server': 'extras',
  '@oncely/sqs/testing/scenarios': 'vitest',
  '@oncely/kafka': 'base',
  '@oncely/kafka/kafkajs': 'base',
  // Without the client: the binding must not import it, at run time or in its types.
  '@oncely/kafka/confluent': 'base',
  '@oncely/kafka/platformatic': 'base',
  '@oncely/webhook': 'base',
  '@oncely/webhook/lambda': 'base',
  '@oncely/webhook/express': 'extras',
  '@oncely/webhook/fastify': 'extras',
  '@oncely/webhook/hono': 'extras',
  '@oncely/webhook/testing': 'vitest',
  '@oncely/telemetry': 'base',
  '@oncely/telemetry/powertools': 'base',
  '@oncely/telemetry/opentelemetry': 'extras',
  '@oncely/redis': 'base',
  '@oncely/cli': 'base',
  '@oncely/cdk': 'base',
};

/** Optional peers that must not be installed by the main lines, or the base phase proves nothing. */
const ABSENT_IN_BASE = [
  'sqs-consumer',
  '@aws-sdk/client-sqs',
  '@middy/core',
  'express',
  '@types/express',
  'fastify',
  'hono',
  'vitest',
  '@opentelemetry/api',
  '@aws-lambda-powertools/metrics',
  'ioredis',
  'iovalkey',
  '@confluentinc/kafka-javascript',
  '@platformatic/kafka',
];

/** Uses the testing entries as a user's test file would: real suites on the in-memory store. */
const VITEST_FILE = `import { MemoryStore } from '@oncely/core';
import { describeStoreConformance } from '@oncely/core/testing';
import { SQS_FORM_LIMITS } from '@oncely/sqs/testing/scenarios';
import { describeWebhookScenarios, serveHono } from '@oncely/webhook/testing';
import { expect, it } from 'vitest';

describeStoreConformance('MemoryStore', () => ({ store: new MemoryStore() }), { transactional: true });
// The SQS suite needs an SQS server: loaded here, run by the repository's own tests.
it('loads the SQS scenario suite', () => {
  expect(Object.keys(SQS_FORM_LIMITS)).toEqual(['lambda', 'middy', 'powertools', 'worker']);
});
describeWebhookScenarios('hono', { serve: serveHono, store: () => new MemoryStore() });
`;

/** TypeScript's own setup in a user's project: the READMEs say `@types/node` is needed. */
const TYPESCRIPT_SETUP = ['@types/node@^20.19.0'];

/** Type-checked programs: each uses its entries so that a type resolving to `any` shows. */
const PROGRAMS: Record<string, { phase: 'base' | 'extras'; code: string }> = {
  'cli.ts': {
    phase: 'base',
    code: `import { EXIT_CODES, parseStoreUrl, runCli } from '@oncely/cli';
export const code: Promise<number> = runCli(['--version']);
export const ok: 0 = EXIT_CODES.ok;
export const target = parseStoreUrl('dynamodb://oncely').kind;`,
  },
  'cdk.ts': {
    phase: 'base',
    code: `import { OncelyTable, STORE_ACTIONS } from '@oncely/cdk';
import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
const stack = new Stack(new App(), 'S');
const dedup = new OncelyTable(stack, 'Dedup', { removalPolicy: RemovalPolicy.DESTROY });
export const grant: iam.Grant = dedup.grantStore(new iam.Role(stack, 'R', { assumedBy: new iam.AccountRootPrincipal() }));
export const variable: string = dedup.environment.ONCELY_TABLE;
export const actions: readonly string[] = STORE_ACTIONS;`,
  },
  'core.ts': {
    phase: 'base',
    code: `import { createDeduper, MemoryStore } from '@oncely/core';
const deduper = createDeduper({ store: new MemoryStore(), namespace: 'n' });
export const outcome = deduper.run('k', async () => 1);`,
  },
  'dynamodb.ts': {
    phase: 'base',
    code: `import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStore } from '@oncely/dynamodb';
export const store = new DynamoDBStore({ client: new DynamoDBClient({}), tableName: 't' });`,
  },
  // Without @types/pg: the package's types must not need pg's (a pool is structural).
  'postgres.ts': {
    phase: 'base',
    code: `import { createDeduper } from '@oncely/core';
import { createTable, type PostgresPool, PostgresStore } from '@oncely/postgres';
declare const pool: PostgresPool;
export const created = createTable(pool, { tableName: 'oncely_dedup' });
export const store = new PostgresStore({ pool, tableName: 'oncely_dedup', schema: 'app' });
export const deduper = createDeduper({ store, namespace: 'n', transactional: true });
export const run = deduper.run('k', (ctx) => { store.transaction(ctx).query('SELECT 1'); });`,
  },
  // With pg's own types: a pg Pool fits, and transaction functions get its PoolClient.
  'postgres-pg.ts': {
    phase: 'extras',
    code: `import { PostgresStore } from '@oncely/postgres';
import pg from 'pg';
const store = new PostgresStore({ pool: new pg.Pool(), tableName: 'oncely_dedup' });
export const add = (ctx: Parameters<typeof store.transaction>[0]) =>
  store.transaction(ctx).run(async (client) => {
    const own: pg.PoolClient = client; // inferred from the pool, not the structural default
    return own.query('SELECT 1');
  });`,
  },
  'sqs.ts': {
    phase: 'base',
    code: `import { MemoryStore } from '@oncely/core';
import { createRecordHandler, createSqsHandler } from '@oncely/sqs';
import { createLambdaContext } from '@oncely/sqs/testing';
const handler = createSqsHandler({ store: new MemoryStore(), handler: async (record) => record.body.length });
export const result = handler({ Records: [] }, createLambdaContext({ functionName: 'f' }));
// @ts-expect-error the event is an SQSEvent, not any
handler(42, createLambdaContext());
export const recordHandler = createRecordHandler({ store: new MemoryStore(), namespace: 'n', handler: async () => 1 });`,
  },
  'kafka.ts': {
    phase: 'base',
    code: `import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { MemoryStore } from '@oncely/core';
import { DynamoDBWatermarkStore } from '@oncely/dynamodb/watermark';
import { createEachMessageHandler, createWatermarkBatchHandler } from '@oncely/kafka/kafkajs';
export const eachMessage = createEachMessageHandler({ store: new MemoryStore(), groupId: 'g', handler: async () => {} });
// The store implements core's contract, which the Kafka adapter takes: no import between them.
export const watermarks = new DynamoDBWatermarkStore({ client: new DynamoDBClient({}), tableName: 't' });
export const eachBatch = createWatermarkBatchHandler({ watermarks, groupId: 'g', handler: async () => {} });`,
  },
  // No @confluentinc/kafka-javascript in the project: the binding's types are structural.
  'kafka-confluent.ts': {
    phase: 'base',
    code: `import { MemoryStore } from '@oncely/core';
import { MemoryWatermarkStore } from '@oncely/kafka';
import { createEachBatchHandler, createRebalanceSignal, createWatermarkBatchHandler } from '@oncely/kafka/confluent';
export const eachBatch = createEachBatchHandler({ store: new MemoryStore(), groupId: 'g', eachBatchAutoResolve: false, handler: async () => {} });
const rebalances = createRebalanceSignal();
export const config = { kafkaJS: { groupId: 'g' }, rebalance_cb: rebalances.rebalance_cb };
export const watermark = createWatermarkBatchHandler({ watermarks: new MemoryWatermarkStore(), groupId: 'g', rebalances, handler: async () => {} });`,
  },
  // No @platformatic/kafka in the project (nor Node 22): the binding's types are structural.
  'kafka-platformatic.ts': {
    phase: 'base',
    code: `import { MemoryStore } from '@oncely/core';
import { MemoryWatermarkStore } from '@oncely/kafka';
import { consumeStream, consumeStreamWithWatermarks, type PlatformaticStream } from '@oncely/kafka/platformatic';
export const start = (stream: PlatformaticStream) => consumeStream(stream, { store: new MemoryStore(), groupId: 'g', handler: async () => {} });
export const watermark = (stream: PlatformaticStream) => consumeStreamWithWatermarks(stream, { watermarks: new MemoryWatermarkStore(), groupId: 'g', handler: async () => {} });`,
  },
  'webhook.ts': {
    phase: 'base',
    code: `import { MemoryStore } from '@oncely/core';
import { createWebhookHandler, stripeWebhooks } from '@oncely/webhook';
import { lambdaWebhook } from '@oncely/webhook/lambda';
const receiver = createWebhookHandler({ provider: stripeWebhooks({ secret: 's' }), store: new MemoryStore(), namespace: 'n', handler: async () => Response.json({}) });
export const handler = lambdaWebhook(receiver);
// @ts-expect-error the event is an APIGatewayProxyEventV2, not any
handler(42);`,
  },
  'telemetry.ts': {
    phase: 'base',
    code: `import { MemoryStore } from '@oncely/core';
import { createSqsHandler } from '@oncely/sqs';
import { combineTelemetry } from '@oncely/telemetry';
import { powertools } from '@oncely/telemetry/powertools';
const metrics = { addMetric: () => {}, singleMetric: () => ({ addDimension: () => {}, addMetric: () => {} }) };
export const handler = createSqsHandler({ store: new MemoryStore(), handler: async () => 1, telemetry: combineTelemetry(powertools({ metrics }).telemetry) });`,
  },
  'telemetry-extras.ts': {
    phase: 'extras',
    code: `import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { MemoryStore } from '@oncely/core';
import { createEachMessageHandler } from '@oncely/kafka/kafkajs';
import { createSqsHandler } from '@oncely/sqs';
import { openTelemetry } from '@oncely/telemetry/opentelemetry';
import { powertools } from '@oncely/telemetry/powertools';
export const eachMessage = createEachMessageHandler({ store: new MemoryStore(), groupId: 'g', handler: async () => {}, telemetry: openTelemetry({ keys: 'hash' }) });
export const handler = createSqsHandler({ store: new MemoryStore(), handler: async () => 1, ...powertools({ metrics: new Metrics({ namespace: 'n' }), logger: new Logger() }) });`,
  },
  'redis.ts': {
    phase: 'base',
    code: `import { createDeduper } from '@oncely/core';
import { RedisStore } from '@oncely/redis';
import { createClient } from 'redis';
const client = createClient({ url: 'redis://127.0.0.1:6379' });
export const deduper = createDeduper({ store: new RedisStore({ client }), namespace: 'n' });
// @ts-expect-error a URL is not a client
new RedisStore({ client: 'redis://127.0.0.1:6379' });`,
  },
  'redis-extras.ts': {
    phase: 'extras',
    code: `import { fromIoredis, RedisStore } from '@oncely/redis';
import { Redis } from 'ioredis';
import { Valkey } from 'iovalkey';
export const ioredis = new RedisStore({ client: new Redis({ lazyConnect: true }) });
export const iovalkey = new RedisStore({ client: fromIoredis(new Valkey({ lazyConnect: true })) });`,
  },
  'core-testing.ts': {
    phase: 'extras',
    code: `import { describeStoreConformance } from '@oncely/core/testing';
export const suite: typeof describeStoreConformance = describeStoreConformance;`,
  },
  'sqs-extras.ts': {
    phase: 'extras',
    code: `import { SQSClient } from '@aws-sdk/client-sqs';
import { MemoryStore } from '@oncely/core';
import { sqsDedupMiddleware } from '@oncely/sqs/middy';
import { createSqsEventSource } from '@oncely/sqs/testing/sqs-server';
import { createDedupConsumer } from '@oncely/sqs/worker';
export const middleware = sqsDedupMiddleware({ store: new MemoryStore() });
export const consumer = createDedupConsumer({ store: new MemoryStore(), consumer: { queueUrl: 'q', sqs: new SQSClient({}) }, handler: async () => {} });
export const source = createSqsEventSource({ client: new SQSClient({}), queueUrl: 'q', handler: async () => ({ batchItemFailures: [] }) });`,
  },
  'sqs-scenarios.ts': {
    phase: 'extras',
    code: `import { SQSClient } from '@aws-sdk/client-sqs';
import { MemoryStore } from '@oncely/core';
import { describeSqsScenarios, SQS_FORM_LIMITS, type SqsScenarioOptions } from '@oncely/sqs/testing/scenarios';
const options: SqsScenarioOptions = { store: () => new MemoryStore(), sqs: () => new SQSClient({}), forms: ['lambda'] };
export const suite: (name: string, options: SqsScenarioOptions) => void = describeSqsScenarios;
export const limit: 'same batch' | 'redelivery' = SQS_FORM_LIMITS.worker.inBatchCopy;
export { options };`,
  },
  'webhook-extras.ts': {
    phase: 'extras',
    code: `import { MemoryStore } from '@oncely/core';
import { createWebhookHandler, stripeWebhooks } from '@oncely/webhook';
import { expressWebhook } from '@oncely/webhook/express';
import { fastifyWebhook } from '@oncely/webhook/fastify';
import { honoWebhook } from '@oncely/webhook/hono';
import { describeWebhookScenarios, serveHono } from '@oncely/webhook/testing';
const receiver = createWebhookHandler({ provider: stripeWebhooks({ secret: 's' }), store: new MemoryStore(), namespace: 'n', handler: async () => Response.json({}) });
export const forExpress = expressWebhook(receiver);
export const forFastify = fastifyWebhook;
export const forHono = honoWebhook(receiver);
export const scenarios: typeof describeWebhookScenarios = describeWebhookScenarios;
export const serve = serveHono;`,
  },
};

/** The Lambda handler that is bundled: the SQS wrapper on DynamoDB, counting its effects. */
const LAMBDA_HANDLER = `import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createTable, DynamoDBStore } from '@oncely/dynamodb';
import { createSqsHandler } from '@oncely/sqs';

const client = new DynamoDBClient({ endpoint: process.env.DYNAMODB_ENDPOINT });
const tableName = process.env.DEDUP_TABLE ?? 'oncely';
const charged: string[] = [];

/** Not part of a real handler: the check makes the table and reads the effects. */
export const setUp = () => createTable(client, { tableName });
export const effects = () => charged;

export const handler = createSqsHandler({
  store: new DynamoDBStore({ client, tableName }),
  key: { field: 'paymentId' },
  handler: async (record) => {
    charged.push(JSON.parse(record.body).paymentId);
  },
});
`;

/** Invokes a bundle as Lambda would (import for .mjs, require for .cjs) with a duplicate. */
const INVOKE = `import { createRequire } from 'node:module';
const [, , bundle] = process.argv;
const mod = bundle.endsWith('.cjs') ? createRequire(import.meta.url)(bundle) : await import(bundle);
await mod.setUp();
const record = (messageId, paymentId) => ({
  messageId, receiptHandle: messageId, body: JSON.stringify({ paymentId }),
  attributes: { ApproximateReceiveCount: '1', SentTimestamp: '0', SenderId: 'me', ApproximateFirstReceiveTimestamp: '0' },
  messageAttributes: {}, md5OfBody: '', eventSource: 'aws:sqs',
  eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:payments', awsRegion: 'us-east-1',
});
const context = { functionName: 'payments', awsRequestId: 'r', getRemainingTimeInMillis: () => 30000 };
// pay-1 sent twice by the producer (two message IDs), then the whole batch redelivered.
const event = { Records: [record('m-1', 'pay-1'), record('m-2', 'pay-2'), record('m-3', 'pay-1')] };
const first = await mod.handler(event, context);
const second = await mod.handler(event, context);
console.log(JSON.stringify({ first, second, effects: mod.effects() }));
`;

function step(title: string): void {
  console.log(`[consumer] ${title}`);
}

/** Runs a command; on failure throws with its whole output, which is what one needs to see. */
async function run(
  command: string,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv } = { cwd: root },
): Promise<string> {
  try {
    const { stdout, stderr } = await execFileAsync(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      maxBuffer: 64 * 1024 * 1024,
    });
    return stdout + stderr;
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(
      `${command} ${args.join(' ')} (in ${options.cwd}) failed:\n${failed.stdout ?? ''}${failed.stderr ?? failed.message}`,
    );
  }
}

/**
 * The environment for npm in the consumer project: without the `npm_*` variables that
 * `npm exec` (which started this script) sets, which would point npm back at the workspace.
 */
function userEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.toLowerCase().startsWith('npm_')),
  );
}

/** The `npm install` lines of a README's `## Install` block: the main ones and the extras. */
export function installLines(readme: string): { main: string[][]; extras: string[][] } {
  const section = readme.split(/^## Install\s*$/m)[1];
  const block = section?.match(/```sh\n([\s\S]*?)```/)?.[1];
  if (block === undefined) throw new Error('README has no ```sh block under ## Install');
  const main: string[][] = [];
  const extras: string[][] = [];
  for (const line of block.split('\n')) {
    const plain = line.match(/^npm install (.+)$/);
    const extra = line.match(/^#[^:]+:\s*npm install (.+)$/);
    if (plain?.[1]) main.push(plain[1].trim().split(/\s+/));
    else if (extra?.[1]) extras.push(extra[1].trim().split(/\s+/));
  }
  if (main.length === 0) throw new Error('README has no `npm install` line under ## Install');
  return { main, extras };
}

/**
 * The esbuild settings of the SAM template's function (its `Metadata.BuildProperties`),
 * mapped the way SAM's esbuild builder maps them; SAM always bundles for `platform: node`.
 */
export function samEsbuildOptions(template: string): BuildOptions {
  const lines = template.split('\n');
  const start = lines.findIndex((line) => /^\s*BuildProperties:\s*$/.test(line));
  if (start < 0) throw new Error('template.yaml has no BuildProperties');
  const indent = (lines[start]?.search(/\S/) ?? 0) + 2;
  const properties = new Map<string, string | string[]>();
  let current: string | undefined;
  for (const line of lines.slice(start + 1)) {
    if (line.trim() === '' || line.trim().startsWith('#')) continue;
    const at = line.search(/\S/);
    if (at < indent) break;
    const key = line.match(/^\s*(\w+):\s*(.*)$/);
    const item = line.match(/^\s*-\s*(.+)$/);
    if (at === indent && key?.[1]) {
      current = key[1];
      properties.set(current, key[2] ? key[2].trim() : []);
    } else if (item?.[1] && current) {
      const list = properties.get(current);
      if (Array.isArray(list)) list.push(item[1].trim());
    }
  }
  const scalar = (name: string) => {
    const value = properties.get(name);
    return typeof value === 'string' ? value : undefined;
  };
  const list = (name: string) => {
    const value = properties.get(name);
    return Array.isArray(value) ? value : [];
  };
  const pairs = (name: string) =>
    Object.fromEntries(
      list(name).map((entry) => [
        entry.slice(0, entry.indexOf('=')),
        entry.slice(entry.indexOf('=') + 1),
      ]),
    );
  const known = [
    'EntryPoints',
    'Format',
    'MainFields',
    'Banner',
    'OutExtension',
    'Target',
    'Sourcemap',
    'Minify',
    'External',
  ];
  for (const name of properties.keys()) {
    // A setting the check would not apply would make it test something else than SAM builds.
    if (!known.includes(name))
      throw new Error(`template.yaml: BuildProperties.${name} is not mapped`);
  }
  const options: BuildOptions = { bundle: true, platform: 'node' };
  const format = scalar('Format');
  if (format === 'esm' || format === 'cjs') options.format = format;
  const mainFields = scalar('MainFields');
  if (mainFields) options.mainFields = mainFields.split(',');
  if (list('Banner').length > 0) options.banner = pairs('Banner');
  if (list('OutExtension').length > 0) options.outExtension = pairs('OutExtension');
  const target = scalar('Target');
  if (target) options.target = target;
  if (scalar('Sourcemap') === 'true') options.sourcemap = true;
  if (scalar('Minify') === 'true') options.minify = true;
  if (list('External').length > 0) options.external = list('External');
  return options;
}

async function packAll(into: string): Promise<Map<string, string>> {
  const tarballs = new Map<string, string>();
  for (const dir of PACKAGES) {
    const out = await run('npm', ['pack', '--json', '--pack-destination', into], {
      cwd: join(root, 'packages', dir),
    });
    const [packed] = JSON.parse(out.slice(out.indexOf('['))) as {
      name: string;
      filename: string;
    }[];
    if (!packed) throw new Error(`npm pack of ${dir} printed no package`);
    tarballs.set(packed.name, join(into, packed.filename));
  }
  return tarballs;
}

async function install(
  project: string,
  specs: string[],
  tarballs: Map<string, string>,
): Promise<void> {
  const resolved = [...new Set(specs)].map((spec) => tarballs.get(spec) ?? spec);
  step(`npm install ${[...new Set(specs)].join(' ')}`);
  await run('npm', ['install', '--no-audit', '--no-fund', ...resolved], {
    cwd: project,
    env: userEnv(),
  });
}

async function checkEntries(project: string, entries: string[]): Promise<void> {
  const esm = entries.map((spec) => `await import(${JSON.stringify(spec)});`).join('\n');
  const cjs = entries.map((spec) => `require(${JSON.stringify(spec)});`).join('\n');
  await writeFile(join(project, 'entries.mjs'), `${esm}\nconsole.log('esm ok');\n`);
  await writeFile(join(project, 'entries.cjs'), `${cjs}\nconsole.log('cjs ok');\n`);
  step(`import and require ${entries.length} entry points`);
  await run('node', ['entries.mjs'], { cwd: project });
  await run('node', ['--no-warnings', 'entries.cjs'], { cwd: project });
}

/** The installed `oncely` binary (its `bin` link, shebang and dependencies) against DynamoDB Local. */
async function checkCliBinary(project: string, endpoint: string): Promise<void> {
  const oncely = join(project, 'node_modules', '.bin', 'oncely');
  const store = `dynamodb://oncely-consumer-cli?region=us-east-1&endpoint=${endpoint}`;
  const env = { ...userEnv(), AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local' };
  step('oncely create-table and stats, the installed binary');
  await run(oncely, ['create-table', '--store', store], { cwd: project, env });
  const stats = JSON.parse(
    await run(oncely, ['stats', '--json', '--store', store], { cwd: project, env }),
  );
  if (stats.scanned !== 0 || stats.complete !== true) {
    throw new Error(`oncely stats on a new table printed ${JSON.stringify(stats)}`);
  }
}

async function typeCheck(project: string, files: string[]): Promise<void> {
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const settings = {
    nodenext: { module: 'NodeNext', moduleResolution: 'NodeNext' },
    bundler: { module: 'ESNext', moduleResolution: 'bundler' },
  };
  for (const [name, resolution] of Object.entries(settings)) {
    const config = {
      compilerOptions: {
        ...resolution,
        target: 'ES2022',
        lib: ['ES2023'],
        strict: true,
        skipLibCheck: false,
        noEmit: true,
        types: ['node'],
      },
      files,
    };
    await writeFile(join(project, `tsconfig.${name}.json`), JSON.stringify(config, null, 2));
    step(`tsc --strict --skipLibCheck false (${name}): ${files.join(' ')}`);
    await run('node', [tsc, '-p', `tsconfig.${name}.json`], { cwd: project });
  }
}

async function checkBundles(project: string, bundles: string, endpoint: string): Promise<void> {
  const template = await readFile(join(root, 'examples/lambda-sqs/template.yaml'), 'utf8');
  const sam = samEsbuildOptions(template);
  await writeFile(join(project, 'lambda-handler.ts'), LAMBDA_HANDLER);
  await writeFile(join(project, 'invoke.mjs'), INVOKE);
  const variants: Record<string, BuildOptions> = {
    'esm (template.yaml)': { ...sam, outdir: join(bundles, 'esm') },
    cjs: {
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: sam.target ?? 'node20',
      outdir: join(bundles, 'cjs'),
      outExtension: { '.js': '.cjs' },
    },
  };
  for (const [name, options] of Object.entries(variants)) {
    step(`esbuild ${name}: ${JSON.stringify({ ...options, outdir: undefined })}`);
    await build({
      ...options,
      entryPoints: [join(project, 'lambda-handler.ts')],
      logLevel: 'error',
    });
    const extension = options.outExtension?.['.js'] ?? '.js';
    const bundle = join(options.outdir ?? '', `lambda-handler${extension}`);
    const env = {
      ...process.env,
      DYNAMODB_ENDPOINT: endpoint,
      DEDUP_TABLE: `consumer-${name.slice(0, 3)}-${Date.now()}`,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
    };
    // Run from the bundle's own folder: a bundle must not need the project's node_modules.
    const out = await run('node', [join(project, 'invoke.mjs'), bundle], { cwd: bundles, env });
    const line = out.split('\n').find((text) => text.startsWith('{'));
    const seen = JSON.parse(line ?? '{}') as {
      first?: { batchItemFailures: unknown[] };
      second?: { batchItemFailures: unknown[] };
      effects?: string[];
    };
    const effects = [...(seen.effects ?? [])].sort().join(',');
    if (
      seen.first?.batchItemFailures.length !== 0 ||
      seen.second?.batchItemFailures.length !== 0 ||
      effects !== 'pay-1,pay-2'
    ) {
      throw new Error(
        `bundle ${name}: expected no failures and one effect per payment, got\n${out}`,
      );
    }
    step(`bundle ${name}: invoked twice with a duplicate, effects ${effects}`);
  }
}

async function lintTarballs(tarballs: Map<string, string>): Promise<void> {
  const bin = (name: string) => join(root, 'node_modules', '.bin', name);
  for (const [name, tarball] of tarballs) {
    step(`publint and attw: ${name}`);
    await run(bin('publint'), ['run', tarball]);
    // esm-only: the packages are ESM, and CommonJS loads them through require(esm) (Node >= 20.19).
    await run(bin('attw'), [tarball, '--profile', 'esm-only', '--format', 'ascii']);
  }
}

async function main(): Promise<void> {
  const started = Date.now();
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  if (major < 20 || (major === 20 && minor < 19))
    throw new Error('needs Node >= 20.19 (require(esm))');

  const work = await mkdtemp(join(tmpdir(), 'oncely-consumer-'));
  const project = join(work, 'project');
  const bundles = join(work, 'bundles');
  let servers: RunningServers | undefined;
  try {
    step('build');
    await run('npx', ['turbo', 'run', 'build', '--output-logs=errors-only']);
    const tarballs = await packAll(work);

    const main: string[] = [];
    const extras: string[] = [];
    for (const dir of PACKAGES) {
      const lines = installLines(await readFile(join(root, 'packages', dir, 'README.md'), 'utf8'));
      main.push(...lines.main.flat());
      extras.push(...lines.extras.flat());
    }
    await mkdir(project, { recursive: true });
    await mkdir(bundles, { recursive: true });
    await writeFile(
      join(project, 'package.json'),
      JSON.stringify({ name: 'oncely-consumer', private: true, type: 'module' }, null, 2),
    );
    for (const [file, { code }] of Object.entries(PROGRAMS))
      await writeFile(join(project, file), `${code}\n`);

    // Every exported entry point must be listed in ENTRIES.
    for (const dir of PACKAGES) {
      const pkg = JSON.parse(await readFile(join(root, 'packages', dir, 'package.json'), 'utf8'));
      for (const subpath of Object.keys(pkg.exports)) {
        const spec = subpath === '.' ? pkg.name : `${pkg.name}${subpath.slice(1)}`;
        if (!ENTRIES[spec])
          throw new Error(`${spec} is exported but not in the consumer check's ENTRIES`);
      }
    }
    const base = Object.keys(ENTRIES).filter((spec) => ENTRIES[spec] === 'base');

    servers = await startServers(['dynamodb'], { log: (line) => step(line) });
    const endpoint = servers.dynamodb?.endpoint;
    if (!endpoint) throw new Error('DynamoDB Local did not start');

    step('phase 1: only the README main install lines');
    await install(project, [...main, ...TYPESCRIPT_SETUP], tarballs);
    for (const name of ABSENT_IN_BASE) {
      if (existsSync(join(project, 'node_modules', name))) {
        throw new Error(
          `${name} was installed by the main lines alone: the base phase would prove nothing`,
        );
      }
    }
    await checkEntries(project, base);
    await typeCheck(
      project,
      Object.keys(PROGRAMS).filter((file) => PROGRAMS[file]?.phase === 'base'),
    );
    await checkBundles(project, bundles, endpoint);
    await checkCliBinary(project, endpoint);

    step('phase 2: with the README extra install lines');
    await install(project, [...main, ...extras, ...TYPESCRIPT_SETUP], tarballs);
    await checkEntries(
      project,
      Object.keys(ENTRIES).filter((spec) => ENTRIES[spec] !== 'vitest'),
    );
    step('vitest run: the testing entries, from a test file');
    await writeFile(join(project, 'testing-entries.test.mjs'), VITEST_FILE);
    await run(
      join(project, 'node_modules', '.bin', 'vitest'),
      ['run', 'testing-entries.test.mjs'],
      {
        cwd: project,
        env: userEnv(),
      },
    );
    await typeCheck(project, Object.keys(PROGRAMS));

    await lintTarballs(tarballs);
    step(`passed in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  } finally {
    await servers?.stop();
    await rm(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(`[consumer] FAILED: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
