/**
 * Starts test servers and keeps them up until Ctrl-C, for running tests, benchmarks or a REPL
 * against them by hand:
 *
 *   tsx --conditions=oncely-source test/servers/cli.ts dynamodb sqs kafka
 *
 * Prints `DYNAMODB_ENDPOINT=...`, `SQS_ENDPOINT=...`, `KAFKA_BROKERS=...` lines on stdout
 * (progress goes to stderr), so `eval`-ing or pasting them into another shell points the
 * tests at these servers instead of starting their own.
 */
import { ALL_SERVER_KINDS, ENDPOINT_ENV, type ServerKind, startServers } from './index.js';

function parseKinds(args: string[]): ServerKind[] {
  if (args.length === 0) return [...ALL_SERVER_KINDS];
  const unknown = args.filter((arg) => !(ALL_SERVER_KINDS as readonly string[]).includes(arg));
  if (unknown.length > 0) {
    console.error(
      `unknown server ${unknown.join(', ')}; choose from ${ALL_SERVER_KINDS.join(' ')}`,
    );
    process.exit(2);
  }
  return args as ServerKind[];
}

async function main(): Promise<void> {
  const kinds = parseKinds(process.argv.slice(2));
  const servers = await startServers(kinds, { log: (line) => console.error(line) });
  if (servers.dynamodb) console.log(`${ENDPOINT_ENV.dynamodb}=${servers.dynamodb.endpoint}`);
  if (servers.sqs) console.log(`${ENDPOINT_ENV.sqs}=${servers.sqs.endpoint}`);
  if (servers.kafka) console.log(`${ENDPOINT_ENV.kafka}=${servers.kafka.brokers.join(',')}`);
  console.error(`servers up (logs in ${servers.logDir}); Ctrl-C stops them`);

  // Our own handlers make the launcher leave the exit to us, so we can report it.
  const shutdown = async (signal: NodeJS.Signals) => {
    console.error(`${signal}: stopping servers`);
    await servers.stop();
    process.exit(0);
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
  // Keep the event loop alive: the server processes are unref'd.
  setInterval(() => undefined, 1 << 30);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
