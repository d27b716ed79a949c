/**
 * `@oncely/telemetry/powertools`: oncely's outcomes as Powertools for AWS Lambda metrics
 * (CloudWatch EMF) and structured logs, in one line. Typed structurally: it imports neither
 * `@aws-lambda-powertools/metrics` nor `@aws-lambda-powertools/logger`, it is given yours.
 */
import {
  InvalidOptionError,
  type OncelyEvent,
  type OncelyLogger,
  type OncelyTelemetry,
  type TelemetryMessage,
  type TelemetryOutcome,
  type TelemetryScope,
} from '@oncely/core';
import { errorType, type OutcomeName, outcomeName } from '../outcome.js';

/** The part of Powertools' `Metrics` the bridge calls. */
export interface PowertoolsMetrics {
  addMetric(name: string, unit: 'Count', value: number): unknown;
  /** A metrics object whose one metric is flushed at once, with its own dimensions. */
  singleMetric(): {
    addDimension(name: string, value: string): unknown;
    addMetric(name: string, unit: 'Count', value: number): unknown;
  };
}

/** Options of {@link powertools}. */
export interface PowertoolsOptions {
  /** Powertools' `Metrics`: each outcome adds a count (flush as usual: `logMetrics` or `publishStoredMetrics()`). */
  readonly metrics?: PowertoolsMetrics;
  /**
   * Powertools' `Logger`: it becomes oncely's logger (failures, with the message ID and
   * key, at the README's levels) and gets a debug line per message (`processed`,
   * `duplicate`) with its message ID, key and namespace.
   */
  readonly logger?: OncelyLogger;
}

/** What {@link powertools} returns: spread it into an adapter's options. */
export interface PowertoolsBridge {
  readonly telemetry: OncelyTelemetry;
  /** The logger given, so spreading the bridge sets `logger` too; absent when none was. */
  readonly logger?: OncelyLogger;
}

/**
 * The metric names, one count each. `OncelyFailed` is also sent once per failure as a
 * single metric with an `errorType` dimension (`StoreError`, `LeaseLostError`, the handler's
 * error class...), so failures can be split by type.
 */
export const POWERTOOLS_METRICS = {
  processed: 'OncelyProcessed',
  duplicate: 'OncelyDuplicate',
  in_progress: 'OncelyInProgress',
  failed: 'OncelyFailed',
  takeover: 'OncelyTakeover',
  lease_lost: 'OncelyLeaseLost',
  store_error: 'OncelyStoreError',
} as const;

/**
 * Bridges oncely to Powertools: per-outcome metrics on your `Metrics` and structured logs
 * on your `Logger`. Spread the result into any adapter's options.
 *
 * @example
 * import { Logger } from '@aws-lambda-powertools/logger';
 * import { Metrics } from '@aws-lambda-powertools/metrics';
 * import { createSqsHandler } from '@oncely/sqs';
 * import { powertools } from '@oncely/telemetry/powertools';
 *
 * const metrics = new Metrics({ namespace: 'orders', serviceName: 'charge' });
 * const logger = new Logger({ serviceName: 'charge' });
 * const sqsHandler = createSqsHandler({ store, handler: charge, ...powertools({ metrics, logger }) });
 * export const handler = async (event, context) => {
 *   try {
 *     return await sqsHandler(event, context);
 *   } finally {
 *     metrics.publishStoredMetrics();
 *   }
 * };
 */
export function powertools(options: PowertoolsOptions): PowertoolsBridge {
  if (options === null || typeof options !== 'object') {
    throw new InvalidOptionError('options', 'expected { metrics, logger }');
  }
  const { metrics, logger } = options;
  if (metrics !== undefined && typeof metrics?.addMetric !== 'function') {
    throw new InvalidOptionError('metrics', "expected Powertools' Metrics");
  }
  if (logger !== undefined && typeof logger?.debug !== 'function') {
    throw new InvalidOptionError('logger', "expected Powertools' Logger (or any oncely logger)");
  }
  const telemetry: OncelyTelemetry = {
    message: (message) => messageScope(metrics, logger, message),
    event: (event) => countEvent(metrics, event),
  };
  return logger === undefined ? { telemetry } : { telemetry, logger };
}

function messageScope(
  metrics: PowertoolsMetrics | undefined,
  logger: OncelyLogger | undefined,
  message: TelemetryMessage,
): TelemetryScope {
  let ended = false;
  return {
    with: (fn) => fn(),
    end: (outcome) => {
      if (ended) return;
      ended = true;
      const name = outcomeName(outcome);
      if (metrics) countOutcome(metrics, name, outcome);
      if (logger && (name === 'processed' || name === 'duplicate')) {
        logger.debug(`oncely: message ${name}`, describe(message, outcome));
      }
    },
  };
}

function countOutcome(metrics: PowertoolsMetrics, name: OutcomeName, outcome: TelemetryOutcome) {
  if (name === 'not_run') return;
  metrics.addMetric(POWERTOOLS_METRICS[name], 'Count', 1);
  if (name !== 'failed') return;
  const single = metrics.singleMetric();
  single.addDimension('errorType', errorType(outcome.error));
  single.addMetric(POWERTOOLS_METRICS.failed, 'Count', 1);
}

function countEvent(metrics: PowertoolsMetrics | undefined, event: OncelyEvent): void {
  if (!metrics) return;
  if (event.type === 'claimed' && event.takeover) {
    metrics.addMetric(POWERTOOLS_METRICS.takeover, 'Count', 1);
  } else if (event.type === 'lease_lost') {
    metrics.addMetric(POWERTOOLS_METRICS.lease_lost, 'Count', 1);
  } else if (event.type === 'store_error') {
    metrics.addMetric(POWERTOOLS_METRICS.store_error, 'Count', 1);
  }
}

function describe(message: TelemetryMessage, outcome: TelemetryOutcome): Record<string, unknown> {
  return {
    messageId: message.messageId,
    key: outcome.key,
    namespace: outcome.namespace,
    source: message.destination,
  };
}
