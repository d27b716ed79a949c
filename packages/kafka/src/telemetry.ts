import type {
  Deduper,
  TelemetryMessage,
  TelemetryOutcome,
  TelemetryScope,
  TraceCarrier,
} from '@oncely/core';
import { failureLevel } from '@oncely/core/adapter';
import type { PartitionBatch } from './consumer.js';
import type { KeySource } from './keys.js';
import type { ResolvedKafkaOptions } from './options.js';
import {
  discardMessage,
  type MessageOutcome,
  type PartitionControls,
  type PreparedMessage,
  prepareMessage,
  settleMessage,
} from './settle.js';
import type { KafkaHeaders, KafkaMessage } from './types.js';

/** A prepared message with its telemetry scope (opened before its claim). Internal. */
export interface ObservedMessage<M extends KafkaMessage> {
  readonly prepared: PreparedMessage<M>;
  readonly source: KeySource<M>;
  readonly scope: TelemetryScope | undefined;
}

/**
 * What a handler's messages tell the logger and the telemetry: one log line per failed
 * message (at the README's level) and one scope per message. Made once per handler. Internal.
 */
export interface KafkaObserver<M extends KafkaMessage> {
  prepare(source: KeySource<M>): ObservedMessage<M>;
  settle(
    observed: ObservedMessage<M>,
    controls: PartitionControls,
    onHandled?: () => void,
  ): Promise<MessageOutcome>;
  discard(observed: ObservedMessage<M>): Promise<void>;
  /** Runs a batch inside its telemetry scope (when telemetry is on). */
  batch<T>(batch: PartitionBatch<M>, work: () => Promise<T>): Promise<T>;
}

/** Makes the observer of a handler's messages. Internal. */
export function kafkaObserver<M extends KafkaMessage, T>(
  options: ResolvedKafkaOptions<M, T>,
  groupId: string,
): KafkaObserver<M> {
  const { deduper } = options;
  const { telemetry } = deduper;
  return {
    prepare(source) {
      const scope = telemetry?.message?.(messageTelemetry(source, groupId));
      const prepared = scope
        ? scope.with(() => prepareMessage(options, source))
        : prepareMessage(options, source);
      return { prepared, source, scope };
    },
    async settle(observed, controls, onHandled) {
      const { prepared, scope } = observed;
      const key = prepared.kind === 'keyed' ? prepared.context.key : undefined;
      try {
        const settle = () => settleMessage(options, prepared, controls, onHandled);
        const outcome = await (scope ? scope.with(settle) : settle());
        scope?.end(outcomeOf(deduper, outcome, key, prepared));
        return outcome;
      } catch (error) {
        logFailure(deduper, observed.source, key, error);
        scope?.end({ status: 'failed', namespace: deduper.namespace, key, error });
        throw error;
      }
    },
    async discard(observed) {
      try {
        await discardMessage(observed.prepared);
      } finally {
        observed.scope?.end({ status: 'not_run', namespace: deduper.namespace, key: undefined });
      }
    },
    async batch(batch, work) {
      const { topic, partition, messages } = batch;
      const scope = telemetry?.batch?.({
        system: 'kafka',
        destination: topic,
        messages: messages.map((message) =>
          messageTelemetry({ topic, partition, message }, groupId),
        ),
        attributes: {
          'messaging.destination.partition.id': String(partition),
          'messaging.consumer.group.name': groupId,
        },
      });
      if (scope === undefined) return work();
      let failed = 0;
      try {
        return await scope.with(work);
      } catch (error) {
        failed = 1;
        throw error;
      } finally {
        scope.end({ failed });
      }
    },
  };
}

/**
 * A Kafka message as telemetry sees it: the messaging conventions' `kafka`, its topic,
 * partition, offset and consumer group, and its headers as the carrier of a producer's
 * `traceparent`.
 */
function messageTelemetry<M extends KafkaMessage>(
  source: KeySource<M>,
  groupId: string,
): TelemetryMessage {
  const { topic, partition, message } = source;
  const offset = Number(message.offset);
  return {
    system: 'kafka',
    destination: topic,
    messageId: undefined,
    attributes: {
      'messaging.destination.partition.id': String(partition),
      'messaging.consumer.group.name': groupId,
      ...(Number.isSafeInteger(offset) ? { 'messaging.kafka.offset': offset } : {}),
    },
    carrier: message.headers === undefined ? undefined : headerCarrier(message.headers),
  };
}

function headerCarrier(headers: KafkaHeaders): TraceCarrier {
  return {
    keys: () => Object.keys(headers),
    get: (name) => {
      const value = headers[name];
      const first = Array.isArray(value) ? value[0] : value;
      return first === undefined ? undefined : first.toString();
    },
  };
}

function outcomeOf<M extends KafkaMessage>(
  deduper: Deduper<unknown>,
  outcome: MessageOutcome,
  key: string | undefined,
  prepared: PreparedMessage<M>,
): TelemetryOutcome {
  const { namespace } = deduper;
  if (outcome === 'processed' || outcome === 'duplicate') {
    return { status: outcome, namespace, key };
  }
  if (outcome === 'dead_lettered') {
    // Taken off the partition by `deadLetter`: not processed, its key unreadable.
    const error = prepared.kind === 'invalid' ? prepared.error : undefined;
    return { status: 'failed', namespace, key, error };
  }
  // `stale`, `stopping`: the batch stopped before it ran; it comes again.
  return { status: 'not_run', namespace, key };
}

/**
 * Logs a message that stops its partition, once, with the typed error: the client then
 * retries from it. (kafkajs and Confluent's client also log the error an `eachMessage`
 * or `eachBatch` threw, through their own loggers.)
 */
function logFailure<M extends KafkaMessage>(
  deduper: Deduper<unknown>,
  source: KeySource<M>,
  key: string | undefined,
  error: unknown,
): void {
  const { topic, partition, message } = source;
  const name = error instanceof Error ? error.name : typeof error;
  deduper.logger[failureLevel(error)](
    `oncely: Kafka message ${topic}/${partition}/${message.offset} failed (${name}); the partition retries from it`,
    { topic, partition, offset: message.offset, key, error },
  );
}
