/**
 * An HTTP proxy in front of DynamoDB Local that injects the faults a real table
 * shows under load: throttling, 500s, connection resets (before the request reaches
 * the table, and after it was applied but before the client hears back) and latency
 * spikes. Seeded, so a run can be repeated, and counted, so a run can say what it did.
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
 *   client has given up by then, as a slow server would apply it).
 */
export type FaultKind = 'throttle' | 'server-error' | 'reset-before' | 'reset-after' | 'latency';

/** Every fault kind, in the order reports list them. */
export const FAULT_KINDS: readonly FaultKind[] = [
  'throttle',
  'server-error',
  'reset-before',
  'reset-after',
  'latency',
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
   * Relative weights of the fault kinds; a kind with weight 0 is never drawn.
   * @default { throttle: 3, 'server-error': 2, 'reset-before': 2, 'reset-after': 2, latency: 1 }
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
  weights: { throttle: 3, 'server-error': 2, 'reset-before': 2, 'reset-after': 2, latency: 1 },
  seed: 1,
  latencyMs: [200, 1500],
  operations: DATA_PLANE_OPERATIONS,
  keyAttribute: 'pk',
} as const satisfies Omit<FaultProxyOptions, 'target'>;

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
   * Scripts the next fault: the next eligible request (of `operation`, when given) gets
   * `kind`, whatever the rate. Scripted faults are used in order, before random ones.
   */
  injectNext(kind: FaultKind, operation?: string): void;
  /** Stops accepting requests and waits for the ones in flight. */
  close(): Promise<void>;
}

interface ScriptedFault {
  readonly kind: FaultKind;
  readonly operation: string | undefined;
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

  function decide(operation: string): FaultKind | undefined {
    const index = scripted.findIndex((s) => s.operation === undefined || s.operation === operation);
    if (index >= 0) return scripted.splice(index, 1)[0]!.kind;
    // Draw on every eligible request, so the sequence of decisions depends on the seed only.
    const faulted = random.chance(faultRate);
    const kind = random.weighted(weights);
    return faulted ? kind : undefined;
  }

  function forward(req: IncomingMessage, body: Buffer): Promise<UpstreamResponse> {
    return new Promise((resolve, reject) => {
      const upstream = request(
        {
          host: target.hostname,
          port: target.port,
          method: req.method,
          path: req.url,
          headers: forwardHeaders(req.headers),
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
    const kind = faultable ? decide(operation) : undefined;
    const entry: InjectedFault | undefined = kind && {
      seq,
      kind,
      operation,
      key: requestKey(body, keyAttribute),
    };
    if (entry) log.push(entry);

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
      };
    },
    setFaultRate(rate) {
      faultRate = validateRate(rate);
    },
    injectNext(kind, operation) {
      scripted.push({ kind, operation });
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

/** Whether DynamoDB applied a faulted request (answered 200) that its client never heard back from. */
export function isAppliedButUnseen(fault: InjectedFault): boolean {
  return fault.unseen === true && fault.upstream?.status === 200;
}
