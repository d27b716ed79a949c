import {
  type Counter,
  createNoopMeter,
  type Histogram,
  type Meter,
  type MeterProvider,
  metrics,
} from '@opentelemetry/api';

/** The instruments oncely records on. Internal. */
export interface Instruments {
  readonly messages: Counter;
  readonly takeovers: Counter;
  readonly leaseLost: Counter;
  readonly storeErrors: Counter;
  readonly storeDuration: Histogram;
  readonly handlerDuration: Histogram;
  /** False while no meter provider is registered: then nothing is timed at all. */
  readonly live: boolean;
}

/** The metric names, in one place (the README's metrics table lists them). */
export const METRICS = {
  messages: 'oncely.messages',
  takeovers: 'oncely.takeovers',
  leaseLost: 'oncely.lease.lost',
  storeErrors: 'oncely.store.errors',
  storeDuration: 'oncely.store.duration',
  handlerDuration: 'oncely.handler.duration',
} as const;

/**
 * Durations in seconds (the OpenTelemetry convention), with buckets for store calls of a
 * few milliseconds up to handlers of a minute.
 */
const DURATION_BUCKETS = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 30, 60,
];

const NOOP_METER = createNoopMeter();

function makeInstruments(meter: Meter): Instruments {
  const histogram = (name: string, description: string) =>
    meter.createHistogram(name, {
      description,
      unit: 's',
      advice: { explicitBucketBoundaries: DURATION_BUCKETS },
    });
  return {
    messages: meter.createCounter(METRICS.messages, {
      description:
        'Messages (and webhook requests) handled, by oncely.outcome: processed, duplicate, in_progress, failed (with error.type), not_run',
      unit: '{message}',
    }),
    takeovers: meter.createCounter(METRICS.takeovers, {
      description:
        'Claims that took over an expired lease: an earlier attempt may have run its effect',
      unit: '{claim}',
    }),
    leaseLost: meter.createCounter(METRICS.leaseLost, {
      description:
        'Leases found lost (another delivery took the key over), by oncely.lease.operation',
      unit: '{lease}',
    }),
    storeErrors: meter.createCounter(METRICS.storeErrors, {
      description: 'Failed store calls, by oncely.store.operation and error.type',
      unit: '{error}',
    }),
    storeDuration: histogram(
      METRICS.storeDuration,
      'Duration of store calls, as a run waits for them',
    ),
    handlerDuration: histogram(METRICS.handlerDuration, 'Duration of the handler alone'),
    live: meter !== NOOP_METER,
  };
}

/**
 * The instruments of the given provider, else of the global one as it is now: made again
 * when the global provider changes, so a telemetry made before the SDK started still
 * records once it has.
 */
export function instrumentsOf(
  provider: MeterProvider | undefined,
  scope: { readonly name: string; readonly version: string },
): () => Instruments {
  let cached: { readonly provider: MeterProvider; readonly instruments: Instruments } | undefined;
  return () => {
    const current = provider ?? metrics.getMeterProvider();
    if (cached?.provider !== current) {
      cached = {
        provider: current,
        instruments: makeInstruments(current.getMeter(scope.name, scope.version)),
      };
    }
    return cached.instruments;
  };
}
