import type { OncelyTelemetry, TelemetryScope } from '@oncely/core';

/**
 * One telemetry that feeds several, for an option that takes one: every hook calls each
 * given telemetry's in turn (scopes nest, the first outermost).
 *
 * @example
 * import { combineTelemetry } from '@oncely/telemetry';
 * import { openTelemetry } from '@oncely/telemetry/opentelemetry';
 * import { powertools } from '@oncely/telemetry/powertools';
 *
 * const bridge = powertools({ metrics, logger });
 * createSqsHandler({ store, handler, logger, telemetry: combineTelemetry(openTelemetry(), bridge.telemetry) });
 */
export function combineTelemetry(...telemetries: readonly OncelyTelemetry[]): OncelyTelemetry {
  const all = telemetries.filter((telemetry) => telemetry !== undefined);
  const [only] = all;
  if (all.length === 1 && only) return only;
  const hooks = <K extends keyof OncelyTelemetry>(name: K) =>
    all.flatMap((telemetry) => {
      const hook = telemetry[name];
      return hook ? [hook.bind(telemetry) as NonNullable<OncelyTelemetry[K]>] : [];
    });
  const batch = hooks('batch');
  const message = hooks('message');
  const storeCall = hooks('storeCall');
  const handler = hooks('handler');
  const event = hooks('event');
  return {
    batch: (info) => nest(batch.map((open) => open(info))),
    message: (info) => nest(message.map((open) => open(info))),
    storeCall: (call, run) =>
      storeCall.reduceRight<() => Promise<never>>(
        (inner, wrap) => () => wrap(call, inner),
        run as () => Promise<never>,
      )(),
    handler: (info, fn) =>
      handler.reduceRight<() => Promise<never>>(
        (inner, wrap) => () => wrap(info, inner),
        fn as () => Promise<never>,
      )(),
    event: (event_) => {
      for (const deliver of event) deliver(event_);
    },
  };
}

function nest<TOutcome>(scopes: readonly TelemetryScope<TOutcome>[]): TelemetryScope<TOutcome> {
  return {
    with: <T>(fn: () => T): T =>
      scopes.reduceRight<() => T>((inner, scope) => () => scope.with(inner), fn)(),
    end: (outcome) => {
      for (const scope of scopes) scope.end(outcome);
    },
  };
}
