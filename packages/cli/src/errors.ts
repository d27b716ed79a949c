import { CliError, EXIT_CODES, type ExitCode } from './exit-codes.js';

interface Shape {
  readonly name?: unknown;
  readonly code?: unknown;
  readonly message?: unknown;
  readonly cause?: unknown;
  readonly address?: unknown;
  readonly port?: unknown;
}

/** The error and its causes, outermost first. */
function chain(error: unknown): Shape[] {
  const found: Shape[] = [];
  let current: unknown = error;
  while (current !== null && typeof current === 'object' && found.length < 8) {
    found.push(current as Shape);
    current = (current as Shape).cause;
  }
  return found;
}

/**
 * One line (no stack) and an exit code for anything a command threw: the causes the
 * operator meets most often get a sentence that says what to do.
 *
 * @example
 * describeError(error, 'DynamoDB table "oncely"'); // { message: 'DynamoDB table "oncely" does not exist: ...', code: 1 }
 */
export function describeError(
  error: unknown,
  target: string | undefined,
): { message: string; code: ExitCode } {
  if (error instanceof CliError) return { message: error.message, code: error.code };
  const causes = chain(error);
  const named = (...names: string[]) =>
    causes.find((cause) => typeof cause.name === 'string' && names.includes(cause.name));
  const coded = (...codes: string[]) =>
    causes.find((cause) => typeof cause.code === 'string' && codes.includes(cause.code));
  const where = target ?? 'the store';
  const fail = (message: string) => ({ message, code: EXIT_CODES.error });

  if (named('ResourceNotFoundException', 'TableNotFoundError') || coded('42P01')) {
    return fail(`${where} does not exist: create it with "oncely create-table" (same --store)`);
  }
  if (named('CredentialsProviderError') || /Could not load credentials/i.test(messageOf(causes))) {
    return fail(
      'no AWS credentials found: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY',
    );
  }
  if (/Region is missing/i.test(messageOf(causes))) {
    return fail('no AWS region: add ?region=... to the store URL or set AWS_REGION');
  }
  if (
    named(
      'UnrecognizedClientException',
      'InvalidSignatureException',
      'AccessDeniedException',
      'ExpiredTokenException',
    )
  ) {
    const cause = named(
      'UnrecognizedClientException',
      'InvalidSignatureException',
      'AccessDeniedException',
      'ExpiredTokenException',
    );
    return fail(`${where}: access refused (${String(cause?.name)}): ${firstLine(cause?.message)}`);
  }
  if (coded('28P01', '28000'))
    return fail(`${where}: authentication failed: ${firstLine(coded('28P01', '28000')?.message)}`);
  if (coded('3D000')) return fail(`${where}: ${firstLine(coded('3D000')?.message)}`);
  if (coded('3F000')) return fail(`${where}: ${firstLine(coded('3F000')?.message)}`);
  const network = coded('ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET');
  if (network) {
    const address =
      typeof network.address === 'string'
        ? ` at ${network.address}${typeof network.port === 'number' ? `:${network.port}` : ''}`
        : '';
    return fail(
      `cannot reach ${where}${where.endsWith(address.slice(4)) ? '' : address} (${String(network.code)})`,
    );
  }
  return fail(`${where}: ${firstLine(messageOf(causes)) || 'failed'}`);
}

function messageOf(causes: readonly Shape[]): string {
  return causes
    .map((cause) => (typeof cause.message === 'string' ? cause.message : ''))
    .filter(Boolean)
    .join(': ');
}

function firstLine(text: unknown): string {
  return String(text ?? '').split('\n')[0] ?? '';
}
