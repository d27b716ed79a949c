import { createDeduper, MemoryStore, type OncelyTelemetry } from '@oncely/core';
import { openTelemetry } from '@oncely/telemetry/opentelemetry';
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, NoopSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { EngineContender } from './engine-contenders.js';

/** A metric reader that is never read: the SDK still aggregates every recording. */
class UnreadMetrics extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

/**
 * oncely on `MemoryStore` with `openTelemetry()`, each run inside its message's scope the
 * way an adapter runs it. `sdk: false`: no SDK registered (the API's no-op tracer and
 * meter), the cost of leaving the integration on in production without an exporter.
 * `sdk: true`: a real tracer provider (every span sampled and recorded, then dropped by a
 * no-op processor, so export costs nothing) and meter provider (every point aggregated),
 * with the AsyncLocalStorage context manager.
 */
function oncelyOpenTelemetry(name: string, sdk: boolean): EngineContender {
  return {
    name,
    dedups: true,
    create(handler) {
      // The context manager is global: on for this contender's rounds only.
      context.disable();
      let telemetry: OncelyTelemetry;
      if (sdk) {
        context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
        telemetry = openTelemetry({
          tracerProvider: new BasicTracerProvider({ spanProcessors: [new NoopSpanProcessor()] }),
          meterProvider: new MeterProvider({ readers: [new UnreadMetrics()] }),
        });
      } else {
        telemetry = openTelemetry();
      }
      const deduper = createDeduper({
        store: new MemoryStore(),
        namespace: 'bench',
        ttl: '24h',
        telemetry,
      });
      return async (message) => {
        const scope = telemetry.message?.({
          system: 'aws_sqs',
          destination: 'bench',
          messageId: message.id,
          attributes: {},
          carrier: undefined,
        });
        if (scope === undefined) throw new Error('openTelemetry() opens message scopes');
        const outcome = await scope.with(() => deduper.run(message.id, () => handler(message)));
        scope.end({ status: outcome.status, namespace: 'bench', key: message.id });
        return outcome;
      };
    },
  };
}

/** OpenTelemetry on, no SDK registered. */
export const oncelyOtelOff = oncelyOpenTelemetry('oncely + OpenTelemetry, no SDK', false);
/** OpenTelemetry on, an SDK recording every span and metric. */
export const oncelyOtelOn = oncelyOpenTelemetry('oncely + OpenTelemetry, SDK recording', true);
