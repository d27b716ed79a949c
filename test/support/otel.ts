/**
 * An OpenTelemetry SDK in memory for tests: a tracer provider whose spans land in an
 * `InMemorySpanExporter`, a meter provider read on demand, the AsyncLocalStorage context
 * manager and the W3C propagator (registered globally, as an application's SDK would), and
 * helpers to make a producer's `traceparent` and to read spans and metric points.
 *
 * @example
 * const otel = useOpenTelemetry();
 * const telemetry = openTelemetry(otel.providers);
 * // ... run an adapter, then
 * const [span] = otel.spans('process orders');
 * expect(await otel.points('oncely.messages')).toContainEqual(expect.objectContaining({ value: 1 }));
 */
import { context, propagation, ROOT_CONTEXT, type SpanContext, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  type DataPoint,
  type Histogram,
  MeterProvider,
  MetricReader,
} from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, beforeEach } from 'vitest';

/** A metric reader that collects only when asked. */
class OnDemandReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

/** One data point of a metric, with its attributes. */
export interface Point {
  readonly attributes: Record<string, unknown>;
  /** A counter's sum, or a histogram's count of recordings. */
  readonly value: number;
}

/** The in-memory SDK of a suite. */
export interface TestOpenTelemetry {
  /** Pass to `openTelemetry(...)`. */
  readonly providers: {
    readonly tracerProvider: BasicTracerProvider;
    readonly meterProvider: MeterProvider;
  };
  /** The finished spans, optionally only those of a name, in the order they ended. */
  spans(name?: string): ReadableSpan[];
  /** The data points of a metric as collected now. */
  points(metric: string): Promise<Point[]>;
  /** A producer's span: its context and the `traceparent` that carries it. */
  producer(): { readonly context: SpanContext; readonly traceparent: string };
}

/**
 * Registers the in-memory SDK for the suite: the exporter and reader are cleared before
 * each test, the providers shut down after the suite.
 */
export function useOpenTelemetry(): TestOpenTelemetry {
  const exporter = new InMemorySpanExporter();
  const reader = new OnDemandReader();
  const tracerProvider = new BasicTracerProvider({
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const meterProvider = new MeterProvider({ readers: [reader] });
  const producerTracer = tracerProvider.getTracer('test-producer');
  beforeAll(() => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  });
  beforeEach(async () => {
    exporter.reset();
    // Collecting resets nothing for cumulative sums: tests compare against what they add.
    await reader.collect();
  });
  afterAll(async () => {
    await tracerProvider.shutdown();
    await meterProvider.shutdown();
    context.disable();
    propagation.disable();
  });
  return {
    providers: { tracerProvider, meterProvider },
    spans: (name) =>
      exporter.getFinishedSpans().filter((span) => name === undefined || span.name === name),
    async points(metric) {
      const { resourceMetrics } = await reader.collect();
      const data = resourceMetrics.scopeMetrics
        .flatMap((scope) => scope.metrics)
        .filter((m) => m.descriptor.name === metric)
        .flatMap((m) => m.dataPoints as DataPoint<number | Histogram>[]);
      return data.map((point) => ({
        attributes: point.attributes,
        value: typeof point.value === 'number' ? point.value : point.value.count,
      }));
    },
    producer() {
      const span = producerTracer.startSpan('send orders', {}, ROOT_CONTEXT);
      span.end();
      const carrier: Record<string, string> = {};
      propagation.inject(trace.setSpan(ROOT_CONTEXT, span), carrier);
      return { context: span.spanContext(), traceparent: carrier.traceparent as string };
    },
  };
}

/** The sum of the points whose attributes include `attributes`. */
export function sumOf(points: readonly Point[], attributes: Record<string, unknown>): number {
  return points
    .filter((point) =>
      Object.entries(attributes).every(([name, value]) => point.attributes[name] === value),
    )
    .reduce((sum, point) => sum + point.value, 0);
}
