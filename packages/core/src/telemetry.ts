import type { StoreOperation } from './errors.js';
import type { OncelyEvent } from './events.js';

/**
 * Where a producer's trace context travels with a message: SQS message attributes, Kafka
 * headers, HTTP request headers. Read-only; an OpenTelemetry propagator reads it.
 */
export interface TraceCarrier {
  /** The names present. */
  keys(): string[];
  /** A value by name; `undefined` when absent. */
  get(name: string): string | undefined;
}

/** Attribute values as OpenTelemetry takes them. */
export type TelemetryAttributes = Readonly<Record<string, string | number | boolean>>;

/**
 * One message (or webhook request) as an adapter describes it when it starts handling it.
 * The attribute names follow the OpenTelemetry semantic conventions, so any telemetry can
 * pass them on as they are.
 */
export interface TelemetryMessage {
  /** `messaging.system`: `aws_sqs` or `kafka`; `http` for a webhook request. */
  readonly system: 'aws_sqs' | 'kafka' | 'http';
  /** The queue or topic (messages), the provider (webhooks); `undefined` when unknown. */
  readonly destination: string | undefined;
  /** The source's identity of the message: the SQS message ID, Kafka's `topic/partition/offset`. */
  readonly messageId: string | undefined;
  /** The semantic-convention attributes of the message (partition, offset, HTTP method, ...). */
  readonly attributes: TelemetryAttributes;
  /** The producer's trace context, when one came with the message. */
  readonly carrier: TraceCarrier | undefined;
  /**
   * The X-Ray trace header that AWS adds to SQS messages (`AWSTraceHeader`), used when no
   * W3C `traceparent` came.
   */
  readonly xrayTraceHeader?: string | undefined;
}

/** A batch of messages handled together (an SQS Lambda event, a Kafka `eachBatch`). */
export interface TelemetryBatch {
  readonly system: 'aws_sqs' | 'kafka';
  readonly destination: string | undefined;
  readonly messages: readonly TelemetryMessage[];
  readonly attributes: TelemetryAttributes;
}

/**
 * How one message ended, as the adapter decided it: `processed` and `duplicate` were
 * acknowledged; `failed` was not (its `error` is the typed oncely error or the handler's);
 * `not_run` was claimed ahead and given back unrun (a batch stopped before its turn).
 */
export interface TelemetryOutcome {
  readonly status: 'processed' | 'duplicate' | 'failed' | 'not_run';
  /** The deduper's namespace, when the message reached one. */
  readonly namespace: string | undefined;
  /** The dedup key, when it could be read. */
  readonly key: string | undefined;
  readonly error?: unknown;
  /** More attributes known only at the end (a webhook's response status). */
  readonly attributes?: TelemetryAttributes;
}

/** How a batch ended: how many of its messages were not acknowledged. */
export interface TelemetryBatchOutcome {
  readonly failed: number;
}

/** One message's (or batch's) telemetry, from its start to its end. */
export interface TelemetryScope<TOutcome = TelemetryOutcome> {
  /**
   * Runs `fn` inside this scope: with OpenTelemetry, with its span active, so the store
   * calls and the handler's own spans become its children. Returns what `fn` returns.
   */
  with<T>(fn: () => T): T;
  /** Ends the scope; a second call does nothing. */
  end(outcome: TOutcome): void;
}

/** One store call, as the deduper reports it to {@link OncelyTelemetry.storeCall}. */
export interface TelemetryStoreCall {
  readonly operation: StoreOperation;
  readonly namespace: string;
  /** The store's `name` (`dynamodb`, `memory`, ...). */
  readonly store: string;
}

/** The run of one handler, as the deduper reports it to {@link OncelyTelemetry.handler}. */
export interface TelemetryHandlerRun {
  readonly namespace: string;
  readonly key: string;
}

/**
 * What an observability integration gives oncely: `@oncely/telemetry/opentelemetry`
 * (spans and metrics) and `@oncely/telemetry/powertools` (EMF metrics and logs) implement
 * it. Pass one as the `telemetry` option of `createDeduper` or any adapter. Every hook is
 * optional and must not throw; oncely calls them on the hot path, so they must be cheap
 * when nothing is listening.
 *
 * Adapters call `batch` and `message`; the deduper calls `storeCall`, `handler` and `event`,
 * inside the message's scope (`with`), so an implementation can attach them to it.
 */
export interface OncelyTelemetry {
  /** A batch begins; messages started inside its `with` belong to it. */
  readonly batch?: (batch: TelemetryBatch) => TelemetryScope<TelemetryBatchOutcome>;
  /** A message (or request) begins: before its key is read, so every outcome has a scope. */
  readonly message?: (message: TelemetryMessage) => TelemetryScope;
  /** Wraps one store call: resolves or rejects as `call` does. */
  readonly storeCall?: <T>(call: TelemetryStoreCall, run: () => Promise<T>) => Promise<T>;
  /** Wraps one run of the handler: returns (or throws) what `fn` does. */
  readonly handler?: <T>(run: TelemetryHandlerRun, fn: () => Promise<T> | T) => Promise<T> | T;
  /** Receives every event, after `onEvent`. */
  readonly event?: (event: OncelyEvent) => void;
}
