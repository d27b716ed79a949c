import type {
  OncelyTelemetry,
  TelemetryBatch,
  TelemetryMessage,
  TelemetryOutcome,
  TelemetryScope,
} from '@oncely/core';
import type { QueueMessage } from './message.js';
import type { RecordOutcome } from './outcome.js';

/**
 * An SQS message as telemetry sees it: the messaging conventions' `aws_sqs`, its queue and
 * ID, and its message attributes as the carrier of a producer's `traceparent` (with the
 * `AWSTraceHeader` system attribute as the X-Ray fallback). Internal.
 */
export function messageTelemetry(message: QueueMessage<unknown>): TelemetryMessage {
  return {
    system: 'aws_sqs',
    destination: message.queue,
    messageId: message.messageId,
    attributes: {},
    carrier: {
      keys: () => message.attributeNames(),
      get: (name) => message.attribute(name)?.value,
    },
    xrayTraceHeader: message.xrayTraceHeader,
  };
}

/** A batch of SQS messages (a Lambda event) as telemetry sees it. Internal. */
export function batchTelemetry(messages: readonly QueueMessage<unknown>[]): TelemetryBatch {
  return {
    system: 'aws_sqs',
    destination: messages[0]?.queue,
    messages: messages.map(messageTelemetry),
    attributes: {},
  };
}

/** What a message's outcome tells telemetry. Internal. */
export function telemetryOutcome(
  outcome: RecordOutcome<unknown>,
  namespace: string | undefined,
): TelemetryOutcome {
  return outcome.status === 'failed'
    ? { status: 'failed', namespace, key: outcome.key, error: outcome.error }
    : { status: outcome.status, namespace, key: outcome.key };
}

/**
 * Runs one message's work inside its telemetry scope (when telemetry is on) and ends the
 * scope with the outcome. `work` never rejects (it yields the `failed` outcome), so every
 * scope ends. Internal.
 */
export async function observeMessage<T>(
  telemetry: OncelyTelemetry | undefined,
  message: QueueMessage<unknown>,
  namespace: string | undefined,
  work: () => Promise<RecordOutcome<T>>,
): Promise<RecordOutcome<T>> {
  const scope = telemetry?.message?.(messageTelemetry(message));
  if (scope === undefined) return work();
  const outcome = await scope.with(work);
  scope.end(telemetryOutcome(outcome, namespace));
  return outcome;
}

/** A message's scope, opened now and ended later (a claim taken ahead). Internal. */
export function openMessageScope(
  telemetry: OncelyTelemetry | undefined,
  message: QueueMessage<unknown>,
): TelemetryScope | undefined {
  return telemetry?.message?.(messageTelemetry(message));
}

/** Runs a batch inside its telemetry scope (when telemetry is on), ending it with the failure count. Internal. */
export async function observeBatch<T>(
  telemetry: OncelyTelemetry | undefined,
  messages: readonly QueueMessage<unknown>[],
  work: () => Promise<RecordOutcome<T>[]>,
): Promise<RecordOutcome<T>[]> {
  const scope = telemetry?.batch?.(batchTelemetry(messages));
  if (scope === undefined) return work();
  let outcomes: RecordOutcome<T>[] | undefined;
  try {
    outcomes = await scope.with(work);
    return outcomes;
  } finally {
    const failed = outcomes?.filter((outcome) => outcome.status === 'failed').length;
    scope.end({ failed: failed ?? messages.length });
  }
}
