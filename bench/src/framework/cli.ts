/** What `npm run bench -- <flags>` asked for. */
export interface BenchOptions {
  /** Scenario names to run, in the order given; `undefined` runs them all. */
  readonly scenarios: readonly string[] | undefined;
  /** A short smoke run: few messages, one round (CI). @default false */
  readonly quick: boolean;
  /** Print the usage and exit. @default false */
  readonly help: boolean;
}

/** The usage text, listing the scenario names. */
export function usage(names: readonly string[]): string {
  return [
    'Usage: npm run bench -- [--scenario <name>]... [--quick]',
    '',
    '  --scenario <name>  run only this scenario (repeat, or comma-separate, for several)',
    '  --quick            a short smoke run: few messages, figures not meaningful',
    '  --help             this text',
    '',
    `Scenarios, in run order: ${names.join(', ')}`,
  ].join('\n');
}

/**
 * Parses the bench's flags; an unknown flag or scenario throws with the usage, so a
 * typo in CI fails instead of silently benchmarking something else.
 *
 * @example
 * parseBenchArgs(['--scenario', 'engine', '--quick'], ['engine', 'dynamodb']);
 * // { scenarios: ['engine'], quick: true, help: false }
 */
export function parseBenchArgs(args: readonly string[], known: readonly string[]): BenchOptions {
  const scenarios: string[] = [];
  let quick = false;
  let help = false;
  for (let index = 0; index < args.length; index++) {
    const arg = args[index] as string;
    if (arg === '--quick') quick = true;
    else if (arg === '--help' || arg === '-h') help = true;
    else if (arg === '--scenario' || arg.startsWith('--scenario=')) {
      const value = arg === '--scenario' ? args[++index] : arg.slice('--scenario='.length);
      if (value === undefined || value === '')
        throw new UsageError('--scenario needs a name', known);
      for (const name of value.split(',')) {
        if (!known.includes(name)) throw new UsageError(`unknown scenario "${name}"`, known);
        if (!scenarios.includes(name)) scenarios.push(name);
      }
    } else throw new UsageError(`unknown argument "${arg}"`, known);
  }
  return { scenarios: scenarios.length > 0 ? scenarios : undefined, quick, help };
}

/** A bad command line; the message ends with the usage. */
export class UsageError extends Error {
  override name = 'UsageError';
  constructor(problem: string, known: readonly string[]) {
    super(`${problem}\n\n${usage(known)}`);
  }
}
