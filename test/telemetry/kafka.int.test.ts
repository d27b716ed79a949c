/**
 * OpenTelemetry through the real Kafka eachMessage handler on the broker, DynamoDB Local as
 * the store, the SDK's in-memory exporters.
 */

import { silentLogger } from '@oncely/core';
import { createEachMessageHandler } from '@oncely/kafka/kafkajs';
import { openTelemetry } from '@oncely/telemetry/opentelemetry';
import { sumOf, useOpenTelemetry } from '@oncely/test-support/otel';
import { describeWithServers } from '@oncely/test-support/servers';
import { useStoreTable } from '@oncely/test-support/tables';
import { SpanKind } from '@opentelemetry/api';
import { afterAll, expect, it } from 'vitest';
import { eventually, KafkaHarness, unique } from '../kafka/harness.js';

describeWithServers('OpenTelemetry through the Kafka eachMessage handler', () => {
  const harness = new KafkaHarness();
  const table = useStoreTable('otel-kafka');
  const otel = useOpenTelemetry();
  afterAll(() => harness.close());

  it('a process span per message, its parent the traceparent header, with topic, partition, offset and group; metrics per outcome', async () => {
    const topic = await harness.createTopic('otel', 1);
    const groupId = unique('otel-group');
    const namespace = table.namespace();
    const producer = otel.producer();
    await harness.produce(topic, [
      { value: 'traced', partition: 0, headers: { traceparent: producer.traceparent } },
      { value: 'untraced', partition: 0 },
    ]);
    const handled: string[] = [];
    await harness.consume(groupId, topic, {
      eachMessage: createEachMessageHandler({
        store: table.store,
        groupId,
        namespace,
        logger: silentLogger,
        telemetry: openTelemetry(otel.providers),
        handler: ({ message }) => {
          handled.push(String(message.value));
        },
      }),
    });
    await eventually(
      'both messages handled',
      async () => otel.spans(`process ${topic}`).length === 2,
    );
    expect(handled).toEqual(['traced', 'untraced']);

    const [traced, untraced] = otel.spans(`process ${topic}`);
    expect(traced).toMatchObject({
      kind: SpanKind.CONSUMER,
      attributes: {
        'messaging.system': 'kafka',
        'messaging.operation.type': 'process',
        'messaging.destination.name': topic,
        'messaging.destination.partition.id': '0',
        'messaging.kafka.offset': 0,
        'messaging.consumer.group.name': groupId,
        'oncely.namespace': namespace,
        'oncely.key': `${topic}/0/0`,
        'oncely.outcome': 'processed',
      },
    });
    expect(traced?.spanContext().traceId).toBe(producer.context.traceId);
    expect(traced?.parentSpanContext?.spanId).toBe(producer.context.spanId);
    // No traceparent and no active span under kafkajs: a root span.
    expect(untraced?.parentSpanContext).toBeUndefined();
    expect(untraced?.attributes['messaging.kafka.offset']).toBe(1);
    const stores = otel
      .spans()
      .filter((span) => span.parentSpanContext?.spanId === traced?.spanContext().spanId)
      .map((span) => span.name);
    expect(stores).toEqual(['oncely claim', 'oncely complete']);

    const messages = await otel.points('oncely.messages');
    expect(
      sumOf(messages, {
        'oncely.namespace': namespace,
        'messaging.system': 'kafka',
        'messaging.destination.name': topic,
        'oncely.outcome': 'processed',
      }),
    ).toBe(2);
  });
});
