import { parseArgs } from 'node:util';
import type { BackendOptions } from './backends.js';

/** The demo's usage text. */
export const USAGE = `Usage: npm run demo -- [options]

By default the demo needs no servers: SQS is an emulator inside the process (fauxqs)
and oncely's records live in the in-memory store.

Options:
  --sqs-endpoint <url>       use the SQS server at <url> (ElasticMQ, LocalStack)
  --dynamodb-endpoint <url>  use DynamoDB at <url> (DynamoDB Local): DynamoDBStore,
                             and transactional mode's ledger in a DynamoDB table
  --real                     use both real servers, from SQS_ENDPOINT and
                             DYNAMODB_ENDPOINT (a flag above overrides its variable)
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

function endpoint(value: string | undefined, source: string): string | undefined {
  if (value === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`${source}: expected an http(s) URL, got ${JSON.stringify(value)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`${source}: expected an http(s) URL, got ${JSON.stringify(value)}`);
  }
  return value;
}

/**
 * Reads the command line. Without flags the demo runs in-process. Each endpoint flag
 * replaces one in-process part; `--real` takes both endpoints from the environment and
 * fails when one is missing, rather than silently falling back to the emulator or the
 * in-memory store. The environment is read only with `--real`, so a shell with those
 * variables set still gets the quick in-process demo.
 *
 * @example
 * parseCommand(['--real'], { SQS_ENDPOINT: 'http://127.0.0.1:9324', DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000' });
 */
export function parseCommand(argv: readonly string[], env: NodeJS.ProcessEnv): Command {
  let values: ReturnType<typeof parse>['values'];
  try {
    ({ values } = parse(argv));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return { kind: 'help' };
  const fromEnv = (name: 'SQS_ENDPOINT' | 'DYNAMODB_ENDPOINT', flag: string) => {
    if (!values.real) return undefined;
    const value = env[name];
    if (!value) throw new UsageError(`--real: ${name} is not set (or give ${flag})`);
    return endpoint(value, name);
  };
  const sqsEndpoint =
    endpoint(values['sqs-endpoint'], '--sqs-endpoint') ?? fromEnv('SQS_ENDPOINT', '--sqs-endpoint');
  const dynamodbEndpoint =
    endpoint(values['dynamodb-endpoint'], '--dynamodb-endpoint') ??
    fromEnv('DYNAMODB_ENDPOINT', '--dynamodb-endpoint');
  return {
    kind: 'run',
    backends: { sqsEndpoint, dynamodbEndpoint },
    json: values.json ?? false,
  };
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      'sqs-endpoint': { type: 'string' },
      'dynamodb-endpoint': { type: 'string' },
      real: { type: 'boolean' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}
