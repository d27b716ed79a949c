/**
 * `@oncely/cli`: the `oncely` operator command (see the README), and the same as a
 * function for programs and tests.
 *
 * @example
 * import { runCli } from '@oncely/cli';
 *
 * const code = await runCli(['inspect', 'evt_1', '--namespace', 'payments', '--store', 'dynamodb://oncely']);
 */
export { type CliIo, DEFAULT_LIMIT, DEFAULT_SAMPLE, runCli } from './cli.js';
export { CliError, EXIT_CODES, type ExitCode } from './exit-codes.js';
export {
  DEFAULT_POSTGRES_TABLE,
  type DynamoDBTarget,
  describeTarget,
  type PostgresTarget,
  parseStoreUrl,
  type RedisTarget,
  type StoreTarget,
} from './store-url.js';
