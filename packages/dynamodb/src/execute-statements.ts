import {
  BatchExecuteStatementCommand,
  type BatchStatementError,
  type BatchStatementRequest,
} from '@aws-sdk/client-dynamodb';
import { type OncelyError, retryDelayMs, type StoreOperation, sleep } from '@oncely/core';
import { isRetryableFault } from './faults.js';
import type { Item } from './record-item.js';
import { fault, type TableContext } from './table.js';

/** One statement to send, with the store key it touches (never two per request). */
export interface KeyedStatement {
  readonly storeKey: string;
  readonly statement: BatchStatementRequest;
}

/** What became of one statement. */
export type StatementResult =
  | { readonly kind: 'ok'; readonly item: Item | undefined }
  /** A refusal that is an outcome: `ConditionalCheckFailed` or `DuplicateItem`. */
  | { readonly kind: 'refused'; readonly code: string; readonly item: Item | undefined }
  | { readonly kind: 'fault'; readonly error: OncelyError };

/** How batches are sent and their failed statements retried. */
export interface StatementLimits {
  /** Statements per `BatchExecuteStatement` request (DynamoDB allows 25). */
  readonly maxStatements: number;
  /** Sends of one statement at most, counting the first, for throttles and faults. */
  readonly maxAttempts: number;
  readonly backoff: { readonly baseMs: number; readonly maxMs: number };
}

/** Codes that are outcomes of the statement's own condition, not failures. */
const REFUSALS = new Set(['ConditionalCheckFailed', 'DuplicateItem']);

/**
 * Per-statement codes that may succeed when sent again: DynamoDB answers HTTP 200 and
 * the SDK does not retry them, so the store does. Each maps to the exception name
 * the single-item API uses, so the faults read alike.
 */
const RETRYABLE_CODES: Record<string, string> = {
  ThrottlingError: 'ThrottlingException',
  ProvisionedThroughputExceeded: 'ProvisionedThroughputExceededException',
  RequestLimitExceeded: 'RequestLimitExceeded',
  InternalServerError: 'InternalServerError',
  TransactionConflict: 'TransactionConflictException',
};

/**
 * Sends statements in `BatchExecuteStatement` requests of at most `maxStatements`,
 * never two statements for one key in a request, and answers one result per
 * statement, in order. Statements that failed inside the HTTP 200 with a retryable
 * code, and whole requests that failed with a retryable fault (a timeout, a reset),
 * are sent again after a jittered backoff, up to `maxAttempts`. Sending again is safe:
 * every statement is conditional, and callers recognise their own earlier write by
 * its token, so a request whose answer was lost is never assumed to have done nothing.
 */
export async function executeStatements(
  table: TableContext,
  operation: StoreOperation,
  statements: readonly KeyedStatement[],
  limits: StatementLimits,
): Promise<StatementResult[]> {
  const results = new Array<StatementResult>(statements.length);
  let pending = statements.map((_, index) => index);
  for (let attempt = 0; pending.length > 0; attempt++) {
    if (attempt > 0) await sleep(retryDelayMs(attempt - 1, limits.backoff));
    const last = attempt + 1 >= limits.maxAttempts;
    const retry: number[] = [];
    const requests = requestsOf(pending, statements, limits.maxStatements);
    await Promise.all(
      requests.map(async (indexes) => {
        const answers = await send(table, operation, statements, indexes);
        for (const [position, index] of indexes.entries()) {
          const answer = answers[position] as StatementResult;
          if (!last && answer.kind === 'fault' && isRetryableFault(answer.error)) {
            retry.push(index);
          } else {
            results[index] = answer;
          }
        }
      }),
    );
    pending = retry.sort((a, b) => a - b);
  }
  return results;
}

/** Splits statement indexes into requests: at most `max` each, each key once per request. */
function requestsOf(
  indexes: readonly number[],
  statements: readonly KeyedStatement[],
  max: number,
): number[][] {
  const requests: { indexes: number[]; keys: Set<string> }[] = [];
  for (const index of indexes) {
    const { storeKey } = statements[index] as KeyedStatement;
    let request = requests.find((r) => r.indexes.length < max && !r.keys.has(storeKey));
    if (request === undefined) {
      request = { indexes: [], keys: new Set() };
      requests.push(request);
    }
    request.indexes.push(index);
    request.keys.add(storeKey);
  }
  return requests.map((request) => request.indexes);
}

async function send(
  table: TableContext,
  operation: StoreOperation,
  statements: readonly KeyedStatement[],
  indexes: readonly number[],
): Promise<StatementResult[]> {
  let responses: { Error?: BatchStatementError; Item?: Item }[] | undefined;
  try {
    const output = await table.client.send(
      new BatchExecuteStatementCommand({
        Statements: indexes.map((index) => (statements[index] as KeyedStatement).statement),
      }),
    );
    responses = output.Responses;
  } catch (error) {
    // The whole request failed: each statement gets the same fault, under its own key.
    return indexes.map((index) => ({
      kind: 'fault',
      error: fault(table, operation, (statements[index] as KeyedStatement).storeKey, error),
    }));
  }
  return indexes.map((index, position) => {
    const { storeKey } = statements[index] as KeyedStatement;
    const response = responses?.[position];
    if (response === undefined) {
      const error = new Error(
        `BatchExecuteStatement answered ${responses?.length ?? 0} of ${indexes.length} statements`,
      );
      return { kind: 'fault', error: fault(table, operation, storeKey, error) };
    }
    const failure = response.Error;
    if (failure === undefined) return { kind: 'ok', item: response.Item };
    const code = failure.Code ?? 'UnknownError';
    if (REFUSALS.has(code)) return { kind: 'refused', code, item: failure.Item };
    return {
      kind: 'fault',
      error: fault(table, operation, storeKey, statementError(code, failure)),
    };
  });
}

/** A statement's failure as an error shaped like the single-item API's, for the fault rules. */
function statementError(code: string, failure: BatchStatementError): Error {
  const error = new Error(`statement failed with ${code}: ${failure.Message ?? 'no message'}`);
  error.name =
    code === 'ResourceNotFound' ? 'ResourceNotFoundException' : (RETRYABLE_CODES[code] ?? code);
  return error;
}
