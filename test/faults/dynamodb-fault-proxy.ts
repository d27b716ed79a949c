/**
 * An HTTP proxy in front of DynamoDB Local that injects the faults a real table
 * shows under load: throttling, 500s, connection resets (before the request reaches
 * the table, and after it was applied but before the client hears back) and latency
 * spikes; and, inside an HTTP 200 `BatchExecuteStatement` answer, single statements that
 * failed (not applied) or that were applied but reported failed. Seeded, so a run can be
 * repeated, and counted, so a run can say what it did.
 */
import { randomUUID } from 'node:crypto';
import {
  Agent,
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  request,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { crc32 } from 'node:zlib';
import {
  answerWith,
  type BatchStatementInfo,
  batchResponses,
  batchStatements,
  keepStatements,
  type StatementErrorCode,
  statementError,
  type WireStatementResponse,
} from './batch-statements.js';
import {
  type DynamoDBErrorResponse,
  errorHeaders,
  INTERNAL_SERVER_ERROR,
  PROVISIONED_THROUGHPUT_EXCEEDED,
  THROTTLING_EXCEPTION,
} from './dynamodb-errors.js';
import { requestKey, type UpstreamAnswer, upstreamErrorType } from './request-body.js';

/** A response read in full from DynamoDB. */
interface UpstreamResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

import { type SeededRandom, seededRandom } from './seeded-random.js';

/**
 * The faults the proxy injects:
 * - `throttle`: HTTP 400 `ThrottlingException` or `ProvisionedThroughputExceededException`;
 * - `server-error`: HTTP 500 `InternalServerError`;
 * - `reset-before`: the socket is reset before the request is forwarded (nothing happened);
 * - `reset-after`: the request is forwarded and applied, then the socket is reset before the
 *   answer is sent (the write happened, the client saw an error: the nasty case);
 * - `latency`: the request waits before it is forwarded (it still lands, even when the
 *   client has given up by then, as a slow server would apply it);
 * - `statement-error` (`BatchExecuteStatement` only): some statements are not forwarded
 *   (the request goes on with the others, or not at all), and the HTTP 200 answer carries
 *   `ThrottlingError`, `ProvisionedThroughputExceeded` or `InternalServerError` in their
 *   `Responses[i]`: what a table under load answers, and nothing of theirs happened;
 * - `statement-error-after` (`BatchExecuteStatement` only): every statement is forwarded,
 *   then some answers are replaced by `InternalServerError`: a statement applied but
 *   reported failed, which a 500 never rules out (its answer was lost, statement by statement).
 */
export type FaultKind =
  | 'throttle'
  | 'server-error'
  | 'reset-before'
  | 'reset-after'
  | 'latency'
  | 'statement-error'
  | 'statement-error-after';

/** Every fault kind, in the order reports list them. */
export const FAULT_KINDS: readonly FaultKind[] = [
  'throttle',
  'server-error',
  'reset-before',
  'reset-after',
  'latency',
  'statement-error',
  'statement-error-after',
];

/** The kinds that fail single statements: drawn only for `BatchExecuteStatement`. */
export const STATEMENT_FAULT_KINDS: readonly FaultKind[] = [
  'statement-error',
  'statement-error-after',
];

/** The operation whose answers carry one outcome per statement. */
const BATCH_OPERATION = 'BatchExecuteStatement';

/** The codes `statement-error` draws from (it applied nothing, so any of them is honest). */
const NOT_APPLIED_CODES: readonly StatementErrorCode[] = [
  'ThrottlingError',
  'ProvisionedThroughputExceeded',
  'InternalServerError',
];

/** DynamoDB operations (the `X-Amz-Target` suffix) that touch items: the ones faulted by default. */
export const DATA_PLANE_OPERATIONS: readonly string[] = [
  'GetItem',
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'TransactWriteItems',
  'TransactGetItems',
  'BatchWriteItem',
  'BatchGetItem',
  'BatchExecuteStatement',
  'Query',
  'Scan',
];

/** Options of {@link startDynamoDBFaultProxy}. */
export interface FaultProxyOptions {
  /** The DynamoDB endpoint to forward to, e.g. `http://127.0.0.1:8000`. */
  readonly target: string;
  /** The share of eligible requests that get a fault, 0 to 1. @default 0.2 */
  readonly faultRate?: number;
  /**
   * Relative weights of the fault kinds; a kind with weight 0 is never drawn. The
   * statement kinds count only for `BatchExecuteStatement`: other requests draw among
   * the whole-request kinds alone, so their faults are the same with or without them.
   * @default { throttle: 3, 'server-error': 2, 'reset-before': 2, 'reset-after': 2, latency: 1, 'statement-error': 3, 'statement-error-after': 1 }
   */
  readonly weights?: Partial<Record<FaultKind, number>>;
  /** The seed of the fault decisions. @default 1 */
  readonly seed?: number;
  /** The range of a latency spike, in ms, both ends included. @default [200, 1500] */
  readonly latencyMs?: readonly [number, number];
  /** Which operations may be faulted; others pass untouched. @default DATA_PLANE_OPERATIONS */
  readonly operations?: readonly string[];
  /** The partition-key attribute read from request bodies for the fault log. @default 'pk' */
  readonly keyAttribute?: string;
}

/** Defaults of {@link FaultProxyOptions}, in one place. */
export const FAULT_PROXY_DEFAULTS = {
  faultRate: 0.2,
  weights: {
    throttle: 3,
    'server-error': 2,
    'reset-before': 2,
    'reset-after': 2,
    latency: 1,
    'statement-error': 3,
    'statement-error-after': 1,
  },
  seed: 1,
  latencyMs: [200, 1500],
  operations: DATA_PLANE_OPERATIONS,
  keyAttribute: 'pk',
} as const satisfies Omit<FaultProxyOptions, 'target'>;

/** What became of one statement of a faulted `BatchExecuteStatement` request. */
export interface StatementFate {
  /** Its position in the client's request. */
  readonly index: number;
  /** The value of `keyAttribute` it addresses, when it names one. */
  readonly key: string | undefined;
  /** The PartiQL text, e.g. to tell a claim's `INSERT` from a completion's `UPDATE`. */
  readonly statement: string;
  /** Whether it reached DynamoDB. */
  readonly forwarded: boolean;
  /** Whether DynamoDB applied it: forwarded and answered without an `Error`. */
  readonly applied: boolean;
  /** The error the client got in its place, for the statement kinds. */
  readonly injected?: StatementErrorCode;
}

/** One injected fault, as the proxy logged it. */
export interface InjectedFault {
  /** The request's sequence number in this proxy, from 1. */
  readonly seq: number;
  readonly kind: FaultKind;
  /** The DynamoDB operation, e.g. `PutItem`. */
  readonly operation: string;
  /** The item key the request addressed (a transaction's first item), when it has one. */
  readonly key: string | undefined;
  /** For `throttle` and `server-error`: the error name sent. */
  readonly errorType?: string;
  /** For `latency`: how long the request was held, in ms. */
  readonly delayMs?: number;
  /**
   * For a faulted `BatchExecuteStatement`: every statement of the request and what became
   * of it (filled in once DynamoDB answered).
   */
  statements?: StatementFate[];
  /**
   * For faults that forwarded the request: what DynamoDB answered, which the client may
   * never have seen. `status: 200` after a `reset-after` means the write happened.
   */
  upstream?: UpstreamAnswer;
  /**
   * The client never got DynamoDB's answer: always after `reset-after`, and after
   * `latency` when the client gave up (its request timeout) before the answer came.
   */
  unseen?: boolean;
}

/** What a proxy has seen and done so far. */
export interface FaultStats {
  /** Every request received. */
  readonly requests: number;
  /** Requests of a faultable operation. */
  readonly eligible: number;
  /** Injected faults, by kind. */
  readonly injected: Readonly<Record<FaultKind, number>>;
  /** The sum of `injected`. */
  readonly totalInjected: number;
  /** Faulted requests DynamoDB applied (answered 200) whose answer the client never got. */
  readonly appliedButUnseen: number;
  /** Injected faults by operation, then kind. */
  readonly byOperation: Readonly<Record<string, Partial<Record<FaultKind, number>>>>;
  /** Statements answered with an injected error, by the statement kinds. */
  readonly statementErrors: number;
  /**
   * Statements of faulted batches DynamoDB applied whose answer the client never got
   * (after `reset-after`, a timed-out `latency`, or `statement-error-after`).
   */
  readonly statementsAppliedButUnseen: number;
}

/** Narrows a scripted fault to the requests and statements of some keys. */
export interface ScriptedTarget {
  /**
   * Only a request that addresses one of these keys gets the fault (a batch: one of its
   * statements); the statement kinds then fail exactly those keys' statements.
   */
  readonly keys?: readonly string[];
  /** For `statement-error`: the code to answer. @default drawn from the seed */
  readonly code?: StatementErrorCode;
}

/** A running proxy. */
export interface FaultProxy {
  /** Point the DynamoDB client here, e.g. `http://127.0.0.1:41234`. */
  readonly endpoint: string;
  /** Every fault injected so far, in order. */
  readonly log: readonly InjectedFault[];
  /** A snapshot of the counters. */
  stats(): FaultStats;
  /** Changes the share of faulted requests, e.g. to 0 for a final clean pass. */
  setFaultRate(rate: number): void;
  /**
   * Scripts the next fault: the next eligible request (of `operation`, when given, and
   * addressing one of `target.keys`, when given) gets `kind`, whatever the rate.
   * Scripted faults are used in order, before random ones.
   */
  injectNext(kind: FaultKind, operation?: string, target?: ScriptedTarget): void;
  /** Stops accepting requests and waits for the ones in flight. */
  close(): Promise<void>;
}

interface ScriptedFault {
  readonly kind: FaultKind;
  readonly operation: string | undefined;
  readonly target: ScriptedTarget | undefined;
}

/** A fault decided for one request, with the scripted target it came with. */
interface Decision {
  readonly kind: FaultKind;
  readonly target: ScriptedTarget | undefined;
}

function validateRate(rate: number): number {
  if (!(rate >= 0 && rate <= 1)) throw new RangeError(`faultRate must be in [0, 1], got ${rate}`);
  return rate;
}

/**
 * Starts a fault-injecting proxy on 127.0.0.1 (a free port) in front of `target`.
 *
 * @example
 * const proxy = await startDynamoDBFaultProxy({ target: dynamodbEndpoint(), seed: 7 });
 * const client = new DynamoDBClient({ ...LOCAL_AWS_CONFIG, endpoint: proxy.endpoint, maxAttempts: 1 });
 * // ... run the workload ...
 * console.log(proxy.stats());
 * await proxy.close();
 */
export async function startDynamoDBFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const target = new URL(options.target);
  const weights = { ...FAULT_PROXY_DEFAULTS.weights, ...options.weights };
  const [minDelay, maxDelay] = options.latencyMs ?? FAULT_PROXY_DEFAULTS.latencyMs;
  const operations = new Set(options.operations ?? FAULT_PROXY_DEFAULTS.operations);
  const keyAttribute = options.keyAttribute ?? FAULT_PROXY_DEFAULTS.keyAttribute;
  const random: SeededRandom = seededRandom(options.seed ?? FAULT_PROXY_DEFAULTS.seed);
  let faultRate = validateRate(options.faultRate ?? FAULT_PROXY_DEFAULTS.faultRate);
  const scripted: ScriptedFault[] = [];
  const log: InjectedFault[] = [];
  const inFlight = new Set<Promise<void>>();
  const sockets = new Set<Socket>();
  const upstreamAgent = new Agent({ keepAlive: true, maxSockets: 64 });
  let requests = 0;
  let eligible = 0;

  // Requests other than batches draw among the whole-request kinds alone: one draw
  // either way, so adding the statement kinds changes no other request's fault.
  const requestWeights = Object.fromEntries(
    Object.entries(weights).filter(([kind]) => !STATEMENT_FAULT_KINDS.includes(kind as FaultKind)),
  ) as Record<FaultKind, number>;

  function decide(operation: string, keys: readonly (string | undefined)[]): Decision | undefined {
    const index = scripted.findIndex(
      (s) =>
        (s.operation === undefined || s.operation === operation) &&
        (s.target?.keys === undefined || keys.some((key) => s.target?.keys?.includes(key ?? ''))),
    );
    if (index >= 0) {
      const { kind, target } = scripted.splice(index, 1)[0]!;
      return { kind, target };
    }
    // Draw on every eligible request, so the sequence of decisions depends on the seed only.
    const faulted = random.chance(faultRate);
    const kind = random.weighted(operation === BATCH_OPERATION ? weights : requestWeights);
    return faulted ? { kind, target: undefined } : undefined;
  }

  /**
   * The statements a statement kind fails: a scripted target's keys, or each with even
   * odds (at least one), so a batch keeps some siblings that succeed.
   */
  function chooseStatements(
    statements: readonly BatchStatementInfo[],
    target: ScriptedTarget | undefined,
  ): Set<number> {
    const keys = target?.keys;
    if (keys !== undefined) {
      return new Set(statements.flatMap((s, index) => (keys.includes(s.key ?? '') ? [index] : [])));
    }
    const chosen = new Set(statements.flatMap((_, index) => (random.chance(0.5) ? [index] : [])));
    if (chosen.size === 0) chosen.add(random.int(0, statements.length - 1));
    return chosen;
  }

  /** Answers a statement kind, and records each statement's fate on `entry`. */
  async function failStatements(
    req: IncomingMessage,
    res: ServerResponse,
    body: Buffer,
    entry: InjectedFault,
    target: ScriptedTarget | undefined,
  ): Promise<void> {
    const statements = batchStatements(body, keyAttribute) ?? [];
    const chosen = chooseStatements(statements, target);
    const codes = new Map(
      [...chosen].map((index) => {
        const code: StatementErrorCode =
          entry.kind === 'statement-error-after'
            ? 'InternalServerError'
            : (target?.code ?? random.pick(NOT_APPLIED_CODES));
        return [index, code] as const;
      }),
    );
    const after = entry.kind === 'statement-error-after';
    const forwarded = statements.flatMap((_, index) =>
      after || !chosen.has(index) ? [index] : [],
    );
    const upstream =
      forwarded.length === 0
        ? undefined
        : await forward(req, after ? body : keepStatements(body, forwarded));
    if (upstream !== undefined) {
      entry.upstream = { status: upstream.status, errorType: upstreamErrorType(upstream.body) };
    }
    const answered = upstream === undefined ? [] : batchResponses(upstream.body);
    if (
      upstream !== undefined &&
      (upstream.status !== 200 || answered?.length !== forwarded.length)
    ) {
      // DynamoDB refused the request as a whole (e.g. a validation error): pass that on.
      entry.statements = statements.map((s, index) =>
        fate(s, index, forwarded.includes(index), undefined),
      );
      res
        .writeHead(upstream.status, passHeaders(upstream.headers, upstream.body.length))
        .end(upstream.body);
      return;
    }
    const responses: WireStatementResponse[] = [];
    const fates: StatementFate[] = [];
    for (const [index, s] of statements.entries()) {
      const position = forwarded.indexOf(index);
      const real = position < 0 ? undefined : answered?.[position];
      const code = codes.get(index);
      fates.push(fate(s, index, position >= 0, real, code));
      responses.push(
        code === undefined ? (real as WireStatementResponse) : statementError(code, s.tableName),
      );
    }
    entry.statements = fates;
    // A client that gave up meanwhile (its timeout) never sees even the rewritten answer.
    if (req.socket.destroyed) entry.unseen = true;
    const answer = answerWith(responses, upstream?.body);
    res.writeHead(200, rewrittenHeaders(upstream?.headers, answer)).end(answer);
  }

  function forward(req: IncomingMessage, body: Buffer): Promise<UpstreamResponse> {
    return new Promise((resolve, reject) => {
      const upstream = request(
        {
          host: target.hostname,
          port: target.port,
          method: req.method,
          path: req.url,
          // The body may be a rewritten batch: its own length, not the client's.
          headers: { ...forwardHeaders(req.headers), 'content-length': String(body.length) },
          agent: upstreamAgent,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', reject);
          res.on('end', () => {
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: Buffer.concat(chunks),
            });
          });
        },
      );
      upstream.on('error', reject);
      upstream.end(body);
    });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const seq = ++requests;
    const operation = String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? 'unknown';
    const faultable = operations.has(operation);
    if (faultable) eligible++;
    const statements =
      operation === BATCH_OPERATION ? batchStatements(body, keyAttribute) : undefined;
    const keys = statements?.map((s) => s.key) ?? [requestKey(body, keyAttribute)];
    const decision = faultable ? decide(operation, keys) : undefined;
    const kind = decision?.kind;
    const entry: InjectedFault | undefined = kind && {
      seq,
      kind,
      operation,
      key: keys[0],
    };
    if (entry) log.push(entry);
    if (entry && statements !== undefined) {
      // Until DynamoDB answers, nothing of the batch was forwarded or applied.
      entry.statements = statements.map((s, index) => fate(s, index, false, undefined));
    }

    if (entry && (kind === 'statement-error' || kind === 'statement-error-after')) {
      await failStatements(req, res, body, entry, decision?.target);
      return;
    }
    if (kind === 'throttle' || kind === 'server-error') {
      const error: DynamoDBErrorResponse =
        kind === 'server-error'
          ? INTERNAL_SERVER_ERROR
          : random.pick([THROTTLING_EXCEPTION, PROVISIONED_THROUGHPUT_EXCEEDED]);
      Object.assign(entry!, { errorType: error.errorType });
      res.writeHead(error.status, errorHeaders(error, randomUUID())).end(error.body);
      return;
    }
    if (kind === 'reset-before') {
      resetSocket(req.socket);
      return;
    }
    if (kind === 'latency') {
      const delayMs = random.int(minDelay, maxDelay);
      Object.assign(entry!, { delayMs });
      await sleep(delayMs);
    }
    const answer = await forward(req, body);
    if (entry) {
      entry.upstream = { status: answer.status, errorType: upstreamErrorType(answer.body) };
      if (statements !== undefined) {
        const answered = answer.status === 200 ? batchResponses(answer.body) : undefined;
        entry.statements = statements.map((s, index) => fate(s, index, true, answered?.[index]));
      }
    }
    if (kind === 'reset-after' || req.socket.destroyed) {
      if (entry) entry.unseen = true;
      resetSocket(req.socket);
      return;
    }
    res.writeHead(answer.status, passHeaders(answer.headers, answer.body.length)).end(answer.body);
  }

  const server = createServer((req, res) => {
    const work = handle(req, res)
      .catch(() => {
        // The upstream failed (DynamoDB Local stopping) or the client went away: answer
        // what a broken server would, a reset, and keep serving the others.
        resetSocket(req.socket);
      })
      .finally(() => inFlight.delete(work));
    inFlight.add(work);
  });
  server.keepAliveTimeout = 30_000;
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    log,
    stats() {
      const injected = Object.fromEntries(FAULT_KINDS.map((k) => [k, 0])) as Record<
        FaultKind,
        number
      >;
      const byOperation: Record<string, Partial<Record<FaultKind, number>>> = {};
      for (const fault of log) {
        injected[fault.kind]++;
        const counts = byOperation[fault.operation] ?? {};
        counts[fault.kind] = (counts[fault.kind] ?? 0) + 1;
        byOperation[fault.operation] = counts;
      }
      return {
        requests,
        eligible,
        injected,
        totalInjected: log.length,
        appliedButUnseen: log.filter(isAppliedButUnseen).length,
        byOperation,
        statementErrors: log.reduce(
          (sum, fault) => sum + (fault.statements?.filter((s) => s.injected).length ?? 0),
          0,
        ),
        statementsAppliedButUnseen: log.reduce(
          (sum, fault) => sum + appliedButUnseenStatements(fault).length,
          0,
        ),
      };
    },
    setFaultRate(rate) {
      faultRate = validateRate(rate);
    },
    injectNext(kind, operation, target) {
      scripted.push({ kind, operation, target });
    },
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
      await Promise.allSettled([...inFlight]);
      upstreamAgent.destroy();
    },
  };
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** A TCP reset, so the client sees `ECONNRESET` rather than a clean close. */
function resetSocket(socket: Socket): void {
  if (socket.destroyed) return;
  if (typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
  else socket.destroy();
}

// Hop-by-hop headers belong to one connection, not to the request.
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade']);

function forwardHeaders(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !HOP_BY_HOP.has(name)));
}

function passHeaders(headers: IncomingHttpHeaders, length: number): IncomingHttpHeaders {
  return { ...forwardHeaders(headers), 'content-length': String(length) };
}

/**
 * Headers for an answer the proxy rewrote (or wrote, when no statement was forwarded):
 * DynamoDB's own, with the length and the `x-amz-crc32` checksum of the new body, so a
 * client that checks it sees a well-formed answer.
 */
function rewrittenHeaders(
  headers: IncomingHttpHeaders | undefined,
  body: Buffer,
): IncomingHttpHeaders {
  return {
    'content-type': 'application/x-amz-json-1.0',
    'x-amzn-requestid': randomUUID(),
    ...(headers === undefined ? {} : forwardHeaders(headers)),
    'content-length': String(body.length),
    'x-amz-crc32': String(crc32(body)),
  };
}

function fate(
  statement: BatchStatementInfo,
  index: number,
  forwarded: boolean,
  answer: WireStatementResponse | undefined,
  injected?: StatementErrorCode,
): StatementFate {
  return {
    index,
    key: statement.key,
    statement: statement.statement,
    forwarded,
    applied: forwarded && answer !== undefined && answer.Error === undefined,
    ...(injected === undefined ? {} : { injected }),
  };
}

/** Whether DynamoDB applied a faulted request (answered 200) that its client never heard back from. */
export function isAppliedButUnseen(fault: InjectedFault): boolean {
  return fault.unseen === true && fault.upstream?.status === 200;
}

/**
 * The statements of a faulted batch that DynamoDB applied while their client saw an
 * error: all applied ones when the whole answer was lost, else those whose answer the
 * proxy replaced.
 */
export function appliedButUnseenStatements(fault: InjectedFault): StatementFate[] {
  return (fault.statements ?? []).filter(
    (s) => s.applied && (fault.unseen === true || s.injected !== undefined),
  );
}
