/**
 * `@oncely/telemetry/opentelemetry`: oncely's spans and metrics on `@opentelemetry/api`.
 * No SDK is bundled: register yours (NodeSDK, the Lambda layer) and pass `openTelemetry()`
 * as the `telemetry` option of any adapter or of `createDeduper`. With no SDK registered
 * the API's no-op tracer and meter make it cost next to nothing.
 */
import { createHash } from 'node:crypto';
import {
  InvalidOptionError,
  type OncelyTelemetry,
  StoreError,
  type TelemetryBatch,
  type TelemetryBatchOutcome,
  type TelemetryHandlerRun,
  type TelemetryMessage,
  type TelemetryOutcome,
  type TelemetryScope,
  type TelemetryStoreCall,
} from '@oncely/core';
import {
  type Attributes,
  type Context,
  context,
  createContextKey,
  isSpanContextValid,
  type Link,
  type MeterProvider,
  ProxyTracerProvider,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  type TracerProvider,
  trace,
} from '@opentelemetry/api';
import { errorType, outcomeName } from '../outcome.js';
import { producerContext } from './carrier.js';
import { type Instruments, instrumentsOf, METRICS } from './instruments.js';

export { fromXrayHeader } from './carrier.js';
export { METRICS } from './instruments.js';

/** Options of {@link openTelemetry}. */
export interface OpenTelemetryOptions {
  /** Where spans go. @default the global tracer provider (`trace.getTracerProvider()`) */
  readonly tracerProvider?: TracerProvider;
  /** Where metrics go. @default the global meter provider (`metrics.getMeterProvider()`) */
  readonly meterProvider?: MeterProvider;
  /**
   * How a message's dedup key appears on its span: `'plain'` as `oncely.key`, `'hash'` as
   * `oncely.key.hash` (SHA-256, hex: hash a key you know to find its span), `'none'` not
   * at all. Keys never go on metrics. Choose `'hash'` when keys may carry personal data
   * (an e-mail address, an account number).
   * @default 'plain'
   */
  readonly keys?: 'plain' | 'hash' | 'none';
}

/** Defaults of {@link OpenTelemetryOptions}. */
export const OPENTELEMETRY_DEFAULTS = { keys: 'plain' } as const;

/** The instrumentation scope oncely's spans and metrics carry. */
export const INSTRUMENTATION_SCOPE = { name: '@oncely/telemetry', version: '0.1.0' } as const;

/** What the engine's hooks find of the message they run in. */
interface MessageState {
  readonly span: Span;
  takeover: boolean;
  leaseLost: boolean;
}

const MESSAGE = createContextKey('@oncely/telemetry message');

/**
 * OpenTelemetry for oncely: a span per message, child spans per store call, and metrics.
 *
 * - Spans: `process {queue}` / `process {topic}` (kind CONSUMER, the messaging conventions'
 *   attributes) per SQS or Kafka message, `process {queue}` with `messaging.batch.message_count`
 *   per batch (linked to each message's producer), and for a webhook a SERVER span named
 *   by its method (or, under a framework's HTTP span, an INTERNAL `oncely webhook {provider}`).
 *   oncely adds `oncely.namespace`, `oncely.outcome`, `oncely.takeover`, `oncely.lease_lost`
 *   and the key (see `keys`). Store calls are child spans `oncely {operation}`.
 * - Context: a producer's `traceparent` (SQS message attribute, Kafka header, HTTP header;
 *   read with the registered propagator) or an SQS `AWSTraceHeader` is the parent of the
 *   message's span, which then links to the span it started under (its batch); a batch
 *   span links to every message's producer.
 * - Metrics (see {@link METRICS}): `oncely.messages` by outcome, `oncely.takeovers`,
 *   `oncely.lease.lost`, `oncely.store.errors`, and the histograms `oncely.store.duration`
 *   and `oncely.handler.duration`, with low-cardinality attributes only.
 *
 * @example
 * import { createSqsHandler } from '@oncely/sqs';
 * import { openTelemetry } from '@oncely/telemetry/opentelemetry';
 *
 * export const handler = createSqsHandler({ store, handler: charge, telemetry: openTelemetry() });
 */
export function openTelemetry(options: OpenTelemetryOptions = {}): OncelyTelemetry {
  if (options === null || typeof options !== 'object') {
    throw new InvalidOptionError('options', 'expected an object');
  }
  const keys = options.keys ?? OPENTELEMETRY_DEFAULTS.keys;
  if (keys !== 'plain' && keys !== 'hash' && keys !== 'none') {
    throw new InvalidOptionError('keys', `expected 'plain', 'hash' or 'none', got ${String(keys)}`);
  }
  const provider = options.tracerProvider ?? trace.getTracerProvider();
  const tracer = provider.getTracer(INSTRUMENTATION_SCOPE.name, INSTRUMENTATION_SCOPE.version);
  const traces = tracingOn(provider);
  const instruments = instrumentsOf(options.meterProvider, INSTRUMENTATION_SCOPE);
  // No `event` hook: what the events would tell (a takeover, a lost lease, a store error)
  // is read from the store calls' answers, so the engine builds no event objects for it.
  return {
    batch: (batch) => openBatch(tracer, batch),
    message: (message) =>
      traces()
        ? openMessage(tracer, instruments, keys, message)
        : meteredOnly(instruments, message),
    storeCall: (call, run) => observeStoreCall(tracer, traces, instruments(), keys, call, run),
    handler: (run, fn) => observeHandler(instruments(), run, fn),
  };
}

/**
 * Whether spans can be recorded now: with the global provider, once an SDK registered a
 * delegate (checked at each message, so a telemetry made before the SDK started traces once
 * it has); a provider passed in always can.
 */
function tracingOn(provider: TracerProvider): () => boolean {
  if (!(provider instanceof ProxyTracerProvider)) return () => true;
  return () =>
    provider.getDelegateTracer(INSTRUMENTATION_SCOPE.name, INSTRUMENTATION_SCOPE.version) !==
    undefined;
}

/** A message's scope while nothing traces: only its count (itself a no-op with no meter). */
function meteredOnly(instruments: () => Instruments, message: TelemetryMessage): TelemetryScope {
  let ended = false;
  return {
    with: (fn) => fn(),
    end: (outcome) => {
      if (ended) return;
      ended = true;
      countMessage(instruments(), message, outcome);
    },
  };
}

function openBatch(tracer: Tracer, batch: TelemetryBatch): TelemetryScope<TelemetryBatchOutcome> {
  const active = context.active();
  const span = tracer.startSpan(
    spanName('process', batch.destination),
    {
      kind: SpanKind.CONSUMER,
      attributes: {
        ...messagingAttributes(batch.system, batch.destination),
        'messaging.batch.message_count': batch.messages.length,
        ...batch.attributes,
      },
    },
    active,
  );
  if (span.isRecording()) span.addLinks(producerLinks(batch.messages));
  const scoped = trace.setSpan(active, span);
  let ended = false;
  return {
    with: (fn) => context.with(scoped, fn),
    end: (outcome) => {
      if (ended) return;
      ended = true;
      span.setAttribute('oncely.batch.failed', outcome.failed);
      span.end();
    },
  };
}

/** A link to each message's producer, with its message ID. */
function producerLinks(messages: readonly TelemetryMessage[]): Link[] {
  const links: Link[] = [];
  for (const message of messages) {
    const producer = producerContext(message, ROOT_CONTEXT);
    const spanContext = producer && trace.getSpanContext(producer);
    if (!spanContext) continue;
    links.push({
      context: spanContext,
      attributes:
        message.messageId === undefined ? {} : { 'messaging.message.id': message.messageId },
    });
  }
  return links;
}

function openMessage(
  tracer: Tracer,
  instruments: () => Instruments,
  keys: 'plain' | 'hash' | 'none',
  message: TelemetryMessage,
): TelemetryScope {
  const active = context.active();
  const started = startMessageSpan(tracer, message, active);
  if (started === undefined) return meteredOnly(instruments, message);
  const count = (outcome: TelemetryOutcome) => countMessage(instruments(), message, outcome);
  let ended = false;
  const state: MessageState = { span: started.span, takeover: false, leaseLost: false };
  const scoped = trace.setSpan(started.parent, started.span).setValue(MESSAGE, state);
  return {
    with: (fn) => context.with(scoped, fn),
    end: (outcome) => {
      if (ended) return;
      ended = true;
      endMessageSpan(state, message, outcome, keys);
      count(outcome);
    },
  };
}

/**
 * Starts a message's span under its producer's context when it brought one (linked to the
 * span it started under), else under the active span. A webhook under a framework's HTTP
 * span gets an internal span there; on its own, the server span. `undefined` when the span
 * is a no-op (no SDK), so the caller can skip the rest.
 */
function startMessageSpan(
  tracer: Tracer,
  message: TelemetryMessage,
  active: Context,
): { readonly span: Span; readonly parent: Context } | undefined {
  const activeContext = trace.getSpanContext(active);
  const underSpan = activeContext !== undefined && isSpanContextValid(activeContext);
  const attributes: Attributes = { ...message.attributes };
  let name: string;
  let kind: SpanKind;
  let parent = active;
  let links: Link[] | undefined;
  if (message.system === 'http') {
    if (message.destination !== undefined)
      attributes['oncely.webhook.provider'] = message.destination;
    const method = String(message.attributes['http.request.method'] ?? 'HTTP');
    if (underSpan) {
      name = `oncely webhook ${message.destination ?? method}`;
      kind = SpanKind.INTERNAL;
    } else {
      name = method;
      kind = SpanKind.SERVER;
      parent = producerContext(message, active) ?? active;
    }
  } else {
    Object.assign(attributes, messagingAttributes(message.system, message.destination));
    if (message.messageId !== undefined) attributes['messaging.message.id'] = message.messageId;
    name = spanName('process', message.destination);
    kind = SpanKind.CONSUMER;
    const producer = producerContext(message, active);
    if (producer !== undefined) {
      parent = producer;
      if (underSpan) links = [{ context: activeContext }];
    }
  }
  const span = tracer.startSpan(name, { kind, attributes, ...(links ? { links } : {}) }, parent);
  if (!span.isRecording() && !isSpanContextValid(span.spanContext())) return undefined;
  return { span, parent };
}

function endMessageSpan(
  state: MessageState,
  message: TelemetryMessage,
  outcome: TelemetryOutcome,
  keys: 'plain' | 'hash' | 'none',
): void {
  const { span } = state;
  if (!span.isRecording()) {
    span.end();
    return;
  }
  const name = outcomeName(outcome);
  const attributes: Attributes = {
    'oncely.outcome': name,
    'oncely.takeover': state.takeover,
    'oncely.lease_lost': state.leaseLost,
    ...outcome.attributes,
  };
  if (outcome.namespace !== undefined) attributes['oncely.namespace'] = outcome.namespace;
  if (outcome.key !== undefined && keys === 'plain') attributes['oncely.key'] = outcome.key;
  if (outcome.key !== undefined && keys === 'hash')
    attributes['oncely.key.hash'] = hashKey(outcome.key);
  if (outcome.status === 'failed') {
    attributes['error.type'] = errorType(outcome.error);
    if (isError(name, message, outcome)) markError(span, outcome.error, keys);
  }
  span.setAttributes(attributes);
  span.end();
}

/**
 * Whether a failed message's span is an error: not when another delivery holds the key
 * (oncely working as meant), and for webhooks only a 5xx answer (the HTTP conventions
 * leave a server span's 4xx unset: the sender's mistake, answered).
 */
function isError(name: string, message: TelemetryMessage, outcome: TelemetryOutcome): boolean {
  if (name === 'in_progress') return false;
  if (message.system !== 'http') return true;
  const status = Number(outcome.attributes?.['http.response.status_code'] ?? 500);
  return status >= 500;
}

function countMessage(
  instruments: Instruments,
  message: TelemetryMessage,
  outcome: TelemetryOutcome,
): void {
  if (!instruments.live) return;
  const attributes: Attributes = {
    'oncely.outcome': outcomeName(outcome),
    'messaging.system': message.system,
  };
  if (message.destination !== undefined) {
    attributes['messaging.destination.name'] = message.destination;
  }
  if (outcome.namespace !== undefined) attributes['oncely.namespace'] = outcome.namespace;
  if (outcome.status === 'failed') attributes['error.type'] = errorType(outcome.error);
  instruments.messages.add(1, attributes);
}

async function observeStoreCall<T>(
  tracer: Tracer,
  traces: () => boolean,
  instruments: Instruments,
  keys: 'plain' | 'hash' | 'none',
  call: TelemetryStoreCall,
  run: () => Promise<T>,
): Promise<T> {
  if (!instruments.live && !traces()) return run();
  const active = context.active();
  const state = active.getValue(MESSAGE) as MessageState | undefined;
  const traced = trace.getSpan(active)?.isRecording() === true;
  const attributes: Attributes = {
    'oncely.store.operation': call.operation,
    'oncely.store.name': call.store,
    'oncely.namespace': call.namespace,
  };
  const span = traced
    ? tracer.startSpan(`oncely ${call.operation}`, { kind: SpanKind.INTERNAL, attributes }, active)
    : undefined;
  const started = performance.now();
  try {
    const result = await (span ? context.with(trace.setSpan(active, span), run) : run());
    const answer = storeAnswer(result);
    if (span && answer !== undefined) span.setAttribute('oncely.store.result', answer);
    noteAnswer(instruments, state, call, answer, result);
    return result;
  } catch (error) {
    attributes['error.type'] = errorType(
      error instanceof StoreError ? (error.cause ?? error) : error,
    );
    if (instruments.live) {
      instruments.storeErrors.add(1, {
        'oncely.namespace': call.namespace,
        'oncely.store.operation': call.operation,
        'error.type': attributes['error.type'] as string,
      });
    }
    if (span) {
      markError(span, error, keys);
      span.setAttribute('error.type', attributes['error.type'] as string);
    }
    throw error;
  } finally {
    span?.end();
    if (instruments.live) {
      instruments.storeDuration.record((performance.now() - started) / 1000, attributes);
    }
  }
}

/** A store call's answer in one word: a claim's kind, a fenced call's `ok` or `lease_lost`. */
function storeAnswer(result: unknown): string | undefined {
  if (result === null || typeof result !== 'object') return undefined;
  const answer = result as { readonly kind?: unknown; readonly ok?: unknown };
  if (typeof answer.kind === 'string') return answer.kind;
  if (typeof answer.ok === 'boolean') return answer.ok ? 'ok' : 'lease_lost';
  return undefined;
}

async function observeHandler<T>(
  instruments: Instruments,
  run: TelemetryHandlerRun,
  fn: () => Promise<T> | T,
): Promise<T> {
  if (!instruments.live) return fn();
  const attributes: Attributes = { 'oncely.namespace': run.namespace };
  const started = performance.now();
  try {
    return await fn();
  } catch (error) {
    attributes['error.type'] = errorType(error);
    throw error;
  } finally {
    instruments.handlerDuration.record((performance.now() - started) / 1000, attributes);
  }
}

/**
 * What a store call's answer tells: a claim that took over an expired lease (`previous`), a
 * fenced call that found the lease lost, an extension. Set on the message's span (attribute
 * and span event) and counted.
 */
function noteAnswer(
  instruments: Instruments,
  state: MessageState | undefined,
  call: TelemetryStoreCall,
  answer: string | undefined,
  result: unknown,
): void {
  const namespace = { 'oncely.namespace': call.namespace };
  if (answer === 'claimed' && (result as { previous?: unknown }).previous !== undefined) {
    if (state) {
      state.takeover = true;
      state.span.addEvent('oncely.takeover');
    }
    if (instruments.live) instruments.takeovers.add(1, namespace);
  } else if (answer === 'lease_lost') {
    if (state) {
      state.leaseLost = true;
      state.span.addEvent('oncely.lease_lost', { 'oncely.lease.operation': call.operation });
    }
    if (instruments.live) {
      instruments.leaseLost.add(1, { ...namespace, 'oncely.lease.operation': call.operation });
    }
  } else if (answer === 'ok' && call.operation === 'extendLease') {
    state?.span.addEvent('oncely.lease_extended');
  }
}

function messagingAttributes(system: string, destination: string | undefined): Attributes {
  const attributes: Attributes = {
    'messaging.system': system,
    'messaging.operation.type': 'process',
    'messaging.operation.name': 'process',
  };
  if (destination !== undefined) attributes['messaging.destination.name'] = destination;
  return attributes;
}

function spanName(operation: string, destination: string | undefined): string {
  return destination === undefined ? operation : `${operation} ${destination}`;
}

function hashKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/**
 * Sets a span's status to ERROR with the exception. oncely's error messages name the key,
 * so with `keys: 'hash'` or `'none'` only the error's type is recorded.
 */
function markError(span: Span, error: unknown, keys: 'plain' | 'hash' | 'none'): void {
  if (keys !== 'plain') {
    span.setStatus({ code: SpanStatusCode.ERROR, message: errorType(error) });
    return;
  }
  if (error instanceof Error) span.recordException(error);
  span.setStatus({
    code: SpanStatusCode.ERROR,
    message: error instanceof Error ? error.message : String(error),
  });
}
