/**
 * The CLI's exit codes, documented in the README. Scripts can tell "nothing there" (3)
 * from a failure (1) and from a command that was wrong (2).
 *
 * @example
 * if (code === EXIT_CODES.notFound) console.log('already released');
 */
export const EXIT_CODES = {
  /** The command did what it was asked. */
  ok: 0,
  /** The store failed: unreachable, a missing table, no credentials, access denied, or a declined confirmation. */
  error: 1,
  /** The command line was wrong: an unknown flag, a bad `--store` URL or scheme, `release` without `--yes` off a terminal. */
  usage: 2,
  /** `inspect` or `release`: the key has no live record (absent or expired). */
  notFound: 3,
} as const;

/** One of {@link EXIT_CODES}. */
export type ExitCode = (typeof EXIT_CODES)[keyof typeof EXIT_CODES];

/**
 * An error the CLI reports as one line (no stack) and exits with `code`.
 *
 * @example
 * throw new CliError('unknown store scheme "mysql:"', EXIT_CODES.usage);
 */
export class CliError extends Error {
  override name = 'CliError';
  constructor(
    message: string,
    readonly code: ExitCode,
  ) {
    super(message);
  }
}

/** A usage error (exit 2). */
export function usage(message: string): CliError {
  return new CliError(message, EXIT_CODES.usage);
}
