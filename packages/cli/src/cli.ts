import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline/promises';
import { type DedupRecord, type RecordStatus, toStoreKey } from '@oncely/core';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { describeError } from './errors.js';
import { CliError, EXIT_CODES, usage } from './exit-codes.js';
import { expiresText, leaseText, recordJson, resultBytes, table } from './format.js';
import { type Operator, openOperator } from './operator.js';
import { scanProgress } from './progress.js';
import { describeTarget, parseStoreUrl } from './store-url.js';

/** Where the CLI reads and writes; the binary passes the process's own. */
export interface CliIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The clock, epoch milliseconds. */
  now(): number;
}

/** The sample `list` and `stats` read at most, by default. */
export const DEFAULT_SAMPLE = 10_000;
/** The records `list` shows at most, by default. */
export const DEFAULT_LIMIT = 50;

interface GlobalOptions {
  readonly store?: string;
  readonly namespace?: string;
  readonly json?: boolean;
}

const version = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  }
).version;

/**
 * Runs the CLI on `argv` (the arguments after the program) and answers the exit code
 * (see `EXIT_CODES`). Never throws: every failure is one line on stderr.
 *
 * @example
 * process.exitCode = await runCli(process.argv.slice(2));
 */
export async function runCli(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  let operator: Operator | undefined;
  /** What the records are in, for error messages, once the URL is parsed. */
  let where: string | undefined;
  const write = (text: string): void => {
    io.stdout.write(text);
  };
  const program = new Command('oncely')
    .description('Inspect and fix oncely dedup records in DynamoDB, PostgreSQL or Redis.')
    .version(version)
    .option(
      '--store <url>',
      'the store: dynamodb://TABLE, postgres://..., redis://... (default: $ONCELY_STORE)',
    )
    .option('--namespace <namespace>', "the deduper's namespace: KEY is then the caller's key")
    .option('--json', 'print JSON for scripts instead of tables')
    .exitOverride()
    .configureOutput({
      writeOut: write,
      writeErr: (text) => io.stderr.write(text),
    });

  const globals = () => program.opts<GlobalOptions>();
  const open = async () => {
    const target = parseStoreUrl(globals().store ?? io.env.ONCELY_STORE);
    where = describeTarget(target);
    operator = await openOperator(target);
    return operator;
  };
  const storeKey = (key: string) => {
    const { namespace } = globals();
    if (key === '') throw usage('KEY must not be empty');
    return namespace === undefined ? key : toStoreKey(namespace, key);
  };
  const prefix = () => {
    const { namespace } = globals();
    return namespace === undefined ? undefined : `${namespace}#`;
  };
  const json = (value: unknown): void => write(`${JSON.stringify(value, null, 2)}\n`);

  program
    .command('inspect')
    .description('show the record of KEY: status, lease left, expiry, token, result size')
    .argument(
      '<key>',
      'the key (with --namespace, the caller\'s key; without, the store key "namespace#key")',
    )
    .action(async (key: string) => {
      const store = await open();
      const now = io.now();
      const record = await found(store, storeKey(key), now);
      if (globals().json) return json(recordJson(record, now));
      write(describe(record, now));
    });

  program
    .command('release')
    .description('delete the record of KEY, so its next delivery runs the handler again')
    .argument('<key>', 'the key (as for inspect)')
    .option('-y, --yes', 'do not ask for confirmation (required when stdin is not a terminal)')
    .action(async (key: string, options: { yes?: boolean }) => {
      const id = storeKey(key);
      if (!options.yes && !io.stdin.isTTY) {
        throw usage(
          `refusing to release "${id}" without --yes: stdin is not a terminal to confirm on`,
        );
      }
      const store = await open();
      const now = io.now();
      const record = await found(store, id, now);
      if (!options.yes) {
        io.stderr.write(describe(record, now));
        if (!(await confirm(io, `Delete the record of "${id}" so it runs again? [y/N] `))) {
          throw new CliError('not released', EXIT_CODES.error);
        }
      }
      // Fenced by the token shown: a record completed or taken over meanwhile is left alone.
      const released = await store.release(id, record.token);
      if (!released.ok) {
        const { current } = released;
        throw new CliError(
          `not released: the record of "${id}" changed since it was read${current ? ` (now ${current.status}, token ${current.token})` : ' (it is gone)'}; run release again to see it`,
          EXIT_CODES.error,
        );
      }
      if (globals().json) return json({ released: true, record: recordJson(record, now) });
      write(`released "${id}" (was ${record.status}): its next delivery runs the handler again\n`);
    });

  program
    .command('list')
    .description('list live records, e.g. the stuck ones: --status in-progress --stuck')
    .addOption(
      new Option('--status <status>', 'only records of this status').choices([
        'in-progress',
        'completed',
      ]),
    )
    .option('--stuck', 'only IN_PROGRESS records whose lease has already ended')
    .option('--limit <n>', 'show at most n records', positiveInteger, DEFAULT_LIMIT)
    .option(
      '--sample <n>',
      'read at most n records to find them (DynamoDB, Redis)',
      positiveInteger,
      DEFAULT_SAMPLE,
    )
    .option('--progress', 'always show the progress bar on stderr')
    .option('--no-progress', 'never show it (default: on a terminal, for long scans)')
    .action(
      async (options: {
        status?: 'in-progress' | 'completed';
        stuck?: boolean;
        limit: number;
        sample: number;
        progress?: boolean;
      }) => {
        if (options.stuck && options.status === 'completed') {
          throw usage(
            '--stuck lists IN_PROGRESS records: it cannot be combined with --status completed',
          );
        }
        const store = await open();
        const now = io.now();
        const status: RecordStatus | undefined =
          options.status === undefined
            ? undefined
            : options.status === 'completed'
              ? 'COMPLETED'
              : 'IN_PROGRESS';
        const progress = scanProgress(io.stderr, options.sample, options.progress);
        const result = await store
          .list(
            {
              status,
              stuck: options.stuck === true,
              prefix: prefix(),
              limit: options.limit,
              sample: options.sample,
              now,
            },
            progress,
          )
          .finally(() => progress.stop());
        if (globals().json) {
          return json({
            records: result.records.map((record) => recordJson(record, now)),
            scanned: result.scanned,
            complete: result.complete,
          });
        }
        if (result.records.length > 0) {
          write(
            table([
              ['KEY', 'STATUS', 'LEASE', 'EXPIRES', 'TOKEN'],
              ...result.records.map((record) => [
                record.key,
                record.status,
                leaseText(record, now),
                new Date(record.expiresAt * 1000).toISOString(),
                record.token,
              ]),
            ]),
          );
        }
        const count = `${result.records.length} record${result.records.length === 1 ? '' : 's'}`;
        write(
          result.complete
            ? `${count} (scanned ${result.scanned})\n`
            : `${count} (scanned ${result.scanned}; more may exist: raise --limit or --sample)\n`,
        );
      },
    );

  program
    .command('stats')
    .description('count records by status over a bounded sample')
    .option('--sample <n>', 'read at most n records', positiveInteger, DEFAULT_SAMPLE)
    .option('--progress', 'always show the progress bar on stderr')
    .option('--no-progress', 'never show it (default: on a terminal, for long scans)')
    .action(async (options: { sample: number; progress?: boolean }) => {
      const store = await open();
      const now = io.now();
      const progress = scanProgress(io.stderr, options.sample, options.progress);
      const stats = await store
        .stats({ prefix: prefix(), sample: options.sample, now }, progress)
        .finally(() => progress.stop());
      if (globals().json) return json({ ...stats, sample: options.sample });
      write(
        table([
          ['STATUS', 'COUNT'],
          ['IN_PROGRESS', String(stats.inProgress)],
          ['  stuck', String(stats.stuck)],
          ['COMPLETED', String(stats.completed)],
          ['expired', String(stats.expired)],
        ]),
      );
      write(
        stats.complete
          ? `scanned ${stats.scanned} records: all of them\n`
          : `scanned ${stats.scanned} records: a sample (--sample ${options.sample}); more exist\n`,
      );
    });

  program
    .command('create-table')
    .description(
      "create the store's table if it does not exist (development, tests; prefer IaC in production)",
    )
    .action(async () => {
      const store = await open();
      const report = await store.createTable();
      if (globals().json) return json(report);
      write(`${report.detail}\n`);
    });

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return EXIT_CODES.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has printed its message (or the help, or the version) already.
      return error.exitCode === 0 ? EXIT_CODES.ok : EXIT_CODES.usage;
    }
    const { message, code } = describeError(error, where);
    io.stderr.write(`oncely: ${message}\n`);
    return code;
  } finally {
    await operator?.close().catch(() => {});
  }
}

async function found(store: Operator, storeKey: string, now: number): Promise<DedupRecord> {
  const record = await store.get(storeKey, now);
  if (record === undefined) {
    throw new CliError(`no live record for "${storeKey}" in ${store.target}`, EXIT_CODES.notFound);
  }
  return record;
}

function describe(record: DedupRecord, now: number): string {
  const bytes = resultBytes(record);
  const stuck = record.status === 'IN_PROGRESS' && record.leaseUntil <= now ? ' (stuck)' : '';
  return table([
    ['key', record.key],
    ['status', record.status],
    ['lease', `${leaseText(record, now)}${stuck}`],
    ['expires', expiresText(record, now)],
    ['token', record.token],
    ['fingerprint', record.fingerprint ?? '-'],
    ['result', bytes === undefined ? 'none' : `${bytes} bytes`],
  ]);
}

async function confirm(io: CliIo, question: string): Promise<boolean> {
  const lines = createInterface({ input: io.stdin, output: io.stderr });
  try {
    return /^y(es)?$/i.test((await lines.question(question)).trim());
  } finally {
    lines.close();
  }
}

function positiveInteger(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new InvalidArgumentError(`expected a positive integer, got "${text}"`);
  }
  return value;
}

function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    now: () => Date.now(),
  };
}
