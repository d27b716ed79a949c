import { parseArgs } from 'node:util';
import type { BackendOptions, StoreChoice, StoreKind } from './backends.js';

/** The stores `--store` takes. */
export const STORE_KINDS: readonly StoreKind[] = ['memory', 'dynamodb', 'postgres', 'redis'];

/** Where `--store postgres` and `--store redis` connect without a URL flag or variable. */
export const LOCAL_URLS = {
  postgres: 'postgres://postgres@127.0.0.1:5432/postgres',
  redis: 'redis://127.0.0.1:6379',
} as const;

/** The demo's usage text. */
export const USAGE = `Usage: npm run demo -- [options]

By default the demo needs no servers: SQS is an emulator inside the process (fauxqs)
and oncely's records live in the in-memory store.

Options:
  --store <kind>             where oncely's records live: memory (the default), dynamodb,
                             postgres or redis
  --sqs-endpoint <url>       use the SQS server at <url> (ElasticMQ, LocalStack)
  --dynamodb-endpoint <url>  use DynamoDB at <url> (DynamoDB Local): DynamoDBStore,
                             and transactional mode's ledger in a DynamoDB table
                             (implies --store dynamodb; else DYNAMODB_ENDPOINT)
  --postgres-url <url>       use PostgreSQL at <url>: PostgresStore, and transactional
                             mode's ledger in a table of the same database (implies
                             --store postgres; else POSTGRES_URL, else
                             ${LOCAL_URLS.postgres})
  --redis-url <url>          use Redis or Valkey at <url>: RedisStore, which has no
                             transactional mode (implies --store redis; else REDIS_URL,
                             else ${LOCAL_URLS.redis})
  --real                     use a real SQS server from SQS_ENDPOINT and, unless --store
                             says otherwise, DynamoDB from DYNAMODB_ENDPOINT (a flag
                             above overrides its variable)
  --json                     print the results as JSON instead of the table
  -h, --help                 print this help

Against AWS itself, set AWS_REGION and credentials in the environment.`;

/** A command line the demo cannot run; `main` prints it with the usage and exits 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** What the command line asks for. */
export type Command =
  | { readonly kind: 'help' }
  | { readonly kind: 'run'; readonly backends: BackendOptions; readonly json: boolean };

const PROTOCOLS = {
  http: ['http:', 'https:'],
  postgres: ['postgres:', 'postgresql:'],
  redis: ['redis:', 'rediss:'],
} as const;

function checkedUrl(
  value: string | undefined,
  source: string,
  kind: keyof typeof PROTOCOLS,
): string | undefined {
  if (value === undefined) return undefined;
  const expected = `expected a ${kind === 'http' ? 'http(s)' : kind} URL, got ${JSON.stringify(value)}`;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`${source}: ${expected}`);
  }
  if (!(PROTOCOLS[kind] as readonly string[]).includes(url.protocol)) {
    throw new UsageError(`${source}: ${expected}`);
  }
  return value;
}

function endpoint(value: string | undefined, source: string): string | undefined {
  return checkedUrl(value, source, 'http');
}

/** The flag that names each server store's URL, and the variable read in its place. */
const STORE_FLAGS = {
  dynamodb: { flag: 'dynamodb-endpoint', variable: 'DYNAMODB_ENDPOINT', protocol: 'http' },
  postgres: { flag: 'postgres-url', variable: 'POSTGRES_URL', protocol: 'postgres' },
  redis: { flag: 'redis-url', variable: 'REDIS_URL', protocol: 'redis' },
} as const;

/**
 * Picks the store: `--store`, else the one whose URL flag was given, else DynamoDB with
 * `--real`, else the in-memory store; then its URL: the flag, else its variable, else
 * (Postgres, Redis) the local service. A URL flag for another store than `--store` names
 * is an error, and so are two stores' flags.
 */
function storeChoice(
  values: ReturnType<typeof parse>['values'],
  env: NodeJS.ProcessEnv,
): StoreChoice {
  const flagged = (Object.keys(STORE_FLAGS) as (keyof typeof STORE_FLAGS)[]).filter(
    (kind) => values[STORE_FLAGS[kind].flag] !== undefined,
  );
  const named = values.store;
  if (named !== undefined && !(STORE_KINDS as readonly string[]).includes(named)) {
    throw new UsageError(
      `--store: expected one of ${STORE_KINDS.join(', ')}, got ${JSON.stringify(named)}`,
    );
  }
  if (flagged.length > 1) {
    throw new UsageError(
      `--${flagged.map((kind) => STORE_FLAGS[kind].flag).join(' and --')}: give one store`,
    );
  }
  const kind =
    (named as StoreKind | undefined) ?? flagged[0] ?? (values.real ? 'dynamodb' : 'memory');
  const other = flagged.find((flag) => flag !== kind);
  if (other !== undefined) {
    throw new UsageError(`--${STORE_FLAGS[other].flag} is for --store ${other}, not ${kind}`);
  }
  if (kind === 'memory') return { kind };
  const { flag, variable, protocol } = STORE_FLAGS[kind];
  const url =
    checkedUrl(values[flag], `--${flag}`, protocol) ??
    checkedUrl(env[variable] || undefined, variable, protocol);
  if (kind === 'dynamodb') {
    if (url === undefined) {
      const source = values.real && named === undefined ? '--real' : '--store dynamodb';
      throw new UsageError(`${source}: ${variable} is not set (or give --${flag})`);
    }
    return { kind, endpoint: url };
  }
  return { kind, url: url ?? LOCAL_URLS[kind] };
}

/**
 * Reads the command line. Without flags the demo runs in-process. Each endpoint or URL
 * flag replaces one in-process part; `--store` picks where oncely's records live;
 * `--real` takes the SQS endpoint (and DynamoDB's, unless `--store` names another store)
 * from the environment and fails when one is missing, rather than silently falling back
 * to the emulator or the in-memory store. The environment is read only with `--real` or a
 * `--store` that needs a server, so a shell with those variables set still gets the quick
 * in-process demo.
 *
 * @example
 * parseCommand(['--real'], { SQS_ENDPOINT: 'http://127.0.0.1:9324', DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000' });
 * parseCommand(['--store', 'postgres'], { POSTGRES_URL: 'postgres://postgres@127.0.0.1:5432/test' });
 */
export function parseCommand(argv: readonly string[], env: NodeJS.ProcessEnv): Command {
  let values: ReturnType<typeof parse>['values'];
  try {
    ({ values } = parse(argv));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return { kind: 'help' };
  const sqsFromEnv = () => {
    if (!values.real) return undefined;
    const value = env.SQS_ENDPOINT;
    if (!value) throw new UsageError('--real: SQS_ENDPOINT is not set (or give --sqs-endpoint)');
    return endpoint(value, 'SQS_ENDPOINT');
  };
  const sqsEndpoint = endpoint(values['sqs-endpoint'], '--sqs-endpoint') ?? sqsFromEnv();
  return {
    kind: 'run',
    backends: { sqsEndpoint, store: storeChoice(values, env) },
    json: values.json ?? false,
  };
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      store: { type: 'string' },
      'sqs-endpoint': { type: 'string' },
      'dynamodb-endpoint': { type: 'string' },
      'postgres-url': { type: 'string' },
      'redis-url': { type: 'string' },
      real: { type: 'boolean' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}
