import type { TelemetryMessage, TraceCarrier } from '@oncely/core';
import {
  type Context,
  isSpanContextValid,
  propagation,
  type SpanContext,
  type TextMapGetter,
  TraceFlags,
  trace,
} from '@opentelemetry/api';

/** Reads a carrier the way the adapters describe it (SQS attributes, Kafka or HTTP headers). */
const carrierGetter: TextMapGetter<TraceCarrier> = {
  keys: (carrier) => carrier.keys(),
  get: (carrier, key) => carrier.get(key),
};

/**
 * The producer's context of a message, on top of `active`: what the registered propagator
 * (W3C `traceparent` with the SDK's defaults) reads from its carrier, else its X-Ray
 * `AWSTraceHeader`. `undefined` when the message brought no valid context.
 */
export function producerContext(message: TelemetryMessage, active: Context): Context | undefined {
  if (message.carrier !== undefined) {
    const extracted = propagation.extract(active, message.carrier, carrierGetter);
    const remote = trace.getSpanContext(extracted);
    // Nothing extracted leaves the active context as it was.
    if (remote && remote !== trace.getSpanContext(active) && isSpanContextValid(remote)) {
      return extracted;
    }
  }
  const xray = message.xrayTraceHeader && fromXrayHeader(message.xrayTraceHeader);
  return xray ? trace.setSpanContext(active, xray) : undefined;
}

/**
 * The span context in an X-Ray trace header, as AWS sets `AWSTraceHeader` on SQS messages:
 * `Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1`. The W3C
 * trace ID is the root's two hex parts joined. `undefined` for a header without a parent
 * or with malformed IDs.
 *
 * @example
 * fromXrayHeader('Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1');
 * // { traceId: '5759e988bd862e3fe1be46a994272793', spanId: '53995c3f42cd8ad8', traceFlags: 1, isRemote: true }
 */
export function fromXrayHeader(header: string): SpanContext | undefined {
  const fields = new Map<string, string>();
  for (const part of header.split(';')) {
    const at = part.indexOf('=');
    if (at > 0) fields.set(part.slice(0, at).trim(), part.slice(at + 1).trim());
  }
  const root = /^1-([0-9a-f]{8})-([0-9a-f]{24})$/.exec(fields.get('Root') ?? '');
  const parent = fields.get('Parent') ?? '';
  if (!root || !/^[0-9a-f]{16}$/.test(parent)) return undefined;
  const context: SpanContext = {
    traceId: `${root[1]}${root[2]}`,
    spanId: parent,
    traceFlags: fields.get('Sampled') === '1' ? TraceFlags.SAMPLED : TraceFlags.NONE,
    isRemote: true,
  };
  return isSpanContextValid(context) ? context : undefined;
}
