/**
 * What the fault proxy needs to fail single statements of a `BatchExecuteStatement`:
 * which item each statement addresses, a request body with some statements left out,
 * and an answer with errors spliced back into the positions of the left-out ones.
 * DynamoDB Local checks no signature, so a rewritten request body still goes through.
 */

/** One statement of a `BatchExecuteStatement` request, as sent on the wire. */
interface WireStatement {
  readonly Statement?: unknown;
  readonly Parameters?: readonly { readonly S?: unknown }[];
}

/** One entry of a `BatchExecuteStatement` answer's `Responses`. */
export interface WireStatementResponse {
  readonly TableName?: string;
  readonly Item?: unknown;
  readonly Error?: { readonly Code?: string; readonly Message?: string; readonly Item?: unknown };
}

/** A statement of a batch request, read for the fault log. */
export interface BatchStatementInfo {
  /** The PartiQL text. */
  readonly statement: string;
  /** The table it names (for the `TableName` of an injected error). */
  readonly tableName: string | undefined;
  /** The string value bound to `keyAttribute`, when the statement names one. */
  readonly key: string | undefined;
}

/**
 * The per-statement error codes the proxy injects. DynamoDB documents each for a
 * statement inside an HTTP 200 answer, and the SDK retries none of them.
 */
export type StatementErrorCode =
  | 'ThrottlingError'
  | 'ProvisionedThroughputExceeded'
  | 'InternalServerError';

/** Messages of the injected statement errors, close to DynamoDB's own. */
export const STATEMENT_ERROR_MESSAGES: Readonly<Record<StatementErrorCode, string>> = {
  ThrottlingError: 'Throughput exceeds the current capacity of your table or index.',
  ProvisionedThroughputExceeded:
    'The level of configured provisioned throughput for the table was exceeded.',
  InternalServerError: 'Internal server error',
};

function parse(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}

const TABLE_NAME = /\b(?:INTO|UPDATE|FROM)\s+"((?:[^"]|"")*)"/i;

/**
 * The statements of a `BatchExecuteStatement` body, or `undefined` for another body.
 * The key is the parameter bound at `"pk" = ?` (UPDATE, DELETE, SELECT) or `'pk': ?`
 * (INSERT): every value oncely sends is a parameter, so counting the `?` before that
 * spot finds its position.
 */
export function batchStatements(
  body: Buffer,
  keyAttribute: string,
): BatchStatementInfo[] | undefined {
  const parsed = parse(body) as { Statements?: unknown } | undefined;
  if (!Array.isArray(parsed?.Statements)) return undefined;
  return (parsed.Statements as WireStatement[]).map((entry) => {
    const statement = typeof entry?.Statement === 'string' ? entry.Statement : '';
    const table = TABLE_NAME.exec(statement)?.[1]?.replaceAll('""', '"');
    return { statement, tableName: table, key: boundKey(statement, entry, keyAttribute) };
  });
}

function boundKey(
  statement: string,
  entry: WireStatement,
  keyAttribute: string,
): string | undefined {
  const name = keyAttribute.replaceAll('"', '""');
  const spots = [`"${name}" = ?`, `'${keyAttribute.replaceAll("'", "''")}': ?`];
  for (const spot of spots) {
    const at = statement.indexOf(spot);
    if (at < 0) continue;
    const position = statement.slice(0, at).split('?').length - 1;
    const value = entry.Parameters?.[position]?.S;
    return typeof value === 'string' ? value : undefined;
  }
  return undefined;
}

/** The same request with only the statements at `keep` (in their order). */
export function keepStatements(body: Buffer, keep: readonly number[]): Buffer {
  const parsed = parse(body) as { Statements: unknown[] } & Record<string, unknown>;
  const statements = keep.map((index) => parsed.Statements[index]);
  return Buffer.from(JSON.stringify({ ...parsed, Statements: statements }));
}

/** The `Responses` of a `BatchExecuteStatement` answer, or `undefined` when it has none. */
export function batchResponses(body: Buffer): WireStatementResponse[] | undefined {
  const parsed = parse(body) as { Responses?: unknown } | undefined;
  return Array.isArray(parsed?.Responses)
    ? (parsed.Responses as WireStatementResponse[])
    : undefined;
}

/** An answer body of 200 with these `Responses` (the rest of `base` kept, e.g. `ConsumedCapacity`). */
export function answerWith(responses: readonly WireStatementResponse[], base?: Buffer): Buffer {
  const rest = base === undefined ? {} : ((parse(base) as Record<string, unknown>) ?? {});
  return Buffer.from(JSON.stringify({ ...rest, Responses: responses }));
}

/** The `Responses[i]` DynamoDB sends for a statement that failed with `code`. */
export function statementError(
  code: StatementErrorCode,
  tableName: string | undefined,
): WireStatementResponse {
  return {
    Error: { Code: code, Message: STATEMENT_ERROR_MESSAGES[code] },
    ...(tableName === undefined ? {} : { TableName: tableName }),
  };
}
