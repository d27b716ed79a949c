/**
 * OpenTelemetry through the real Lambda SQS handler: a batch ElasticMQ delivered (through
 * the event-source driver), DynamoDB Local as the store, the SDK's in-memory exporters.
 */

import { silentLogger } from '@oncely/core';
import { createSqsHandler } from '@oncely/sqs';
import { createSqsEventSource, sendMessages, type TestQueue } from '@oncely/sqs/testing/sqs-server';
import { openTelemetry } from '@oncely/telemetry/opentelemetry';
import { sumOf, useOpenTelemetry } from '@oncely/test-support/otel';
import { useQueues } from '@oncely/test-support/queues';
import { describeWithServers } from '@oncely/test-support/servers';
import { useStoreTable } from '@oncely/test-support/tables';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { expect, it } from 'vitest';

/** The queue's name: the last part of its ARN, as Lambda's `eventSourceARN` gives it. */
const nameOf = (queue: TestQueue) => queue.arn.slice(queue.arn.lastIndexOf(':') + 1);

describeWithServers('OpenTelemetry through the Lambda SQS handler', () => {
  const sqs = useQueues('otel');
  const table = useStoreTable('otel-sqs');
  const otel = useOpenTelemetry();

  it('a batch span linked to each producer; a process span per message, its parent the message traceparent; store calls as children; metrics per outcome', async () => {
    const q = await sqs.queue({ visibilityTimeout: 1 });
    const queue = nameOf(q);
    const first = otel.producer();
    const second = otel.producer();
    const ids = await sendMessages(sqs.client, q, [
      { body: 'charge', attributes: { traceparent: first.traceparent } },
      { body: 'charge', attributes: { traceparent: second.traceparent } },
      { body: 'declined' },
    ]);
    const namespace = table.namespace();
    const handler = createSqsHandler({
      store: table.store,
      namespace,
      logger: silentLogger,
      telemetry: openTelemetry(otel.providers),
      handler: (record) => {
        if (record.body === 'declined') throw new TypeError('card declined');
      },
    });
    const source = createSqsEventSource({ client: sqs.client, queueUrl: q.url, handler });
    const [invocation] = await source.runUntil((seen) => seen.length === 1);
    expect(invocation?.failed).toEqual([ids[2]]);

    const processSpans = otel.spans(`process ${queue}`);
    const batch = processSpans.find((span) => span.attributes['messaging.batch.message_count']);
    expect(batch).toMatchObject({
      kind: SpanKind.CONSUMER,
      attributes: {
        'messaging.system': 'aws_sqs',
        'messaging.operation.type': 'process',
        'messaging.destination.name': queue,
        'messaging.batch.message_count': 3,
        'oncely.batch.failed': 1,
      },
    });
    expect(batch?.links.map((link) => link.context.spanId).sort()).toEqual(
      [first.context.spanId, second.context.spanId].sort(),
    );
    expect(batch?.links.map((link) => link.attributes?.['messaging.message.id']).sort()).toEqual(
      [ids[0], ids[1]].sort(),
    );

    const byId = (id: string | undefined) =>
      processSpans.find((span) => span.attributes['messaging.message.id'] === id);
    const charged = byId(ids[0]);
    // Its producer is its parent; the batch it ran in is a link.
    expect(charged?.spanContext().traceId).toBe(first.context.traceId);
    expect(charged?.parentSpanContext?.spanId).toBe(first.context.spanId);
    expect(charged?.links.map((link) => link.context.spanId)).toEqual([
      batch?.spanContext().spanId,
    ]);
    expect(charged).toMatchObject({
      kind: SpanKind.CONSUMER,
      attributes: {
        'messaging.system': 'aws_sqs',
        'messaging.destination.name': queue,
        'messaging.message.id': ids[0],
        'oncely.namespace': namespace,
        'oncely.key': ids[0],
        'oncely.outcome': 'processed',
        'oncely.takeover': false,
        'oncely.lease_lost': false,
      },
    });
    expect(byId(ids[1])?.parentSpanContext?.spanId).toBe(second.context.spanId);
    // Without a traceparent, the message's span is a child of its batch.
    const declined = byId(ids[2]);
    expect(declined?.parentSpanContext?.spanId).toBe(batch?.spanContext().spanId);
    expect(declined?.status.code).toBe(SpanStatusCode.ERROR);
    expect(declined?.attributes).toMatchObject({
      'oncely.outcome': 'failed',
      'error.type': 'TypeError',
    });

    // Every store call is a child of its message's span.
    const childrenOf = (span: typeof charged) =>
      otel
        .spans()
        .filter((child) => child.parentSpanContext?.spanId === span?.spanContext().spanId)
        .map((child) => `${child.name} ${child.attributes['oncely.store.result']}`);
    expect(childrenOf(charged)).toEqual(['oncely claim claimed', 'oncely complete ok']);
    expect(childrenOf(declined)).toEqual(['oncely claim claimed', 'oncely release ok']);
    expect(otel.spans('oncely claim')[0]?.attributes).toMatchObject({
      'oncely.store.operation': 'claim',
      'oncely.store.name': table.store.name,
      'oncely.namespace': namespace,
    });

    const messages = await otel.points('oncely.messages');
    const ofNamespace = { 'oncely.namespace': namespace, 'messaging.system': 'aws_sqs' };
    expect(sumOf(messages, { ...ofNamespace, 'oncely.outcome': 'processed' })).toBe(2);
    expect(
      sumOf(messages, { ...ofNamespace, 'oncely.outcome': 'failed', 'error.type': 'TypeError' }),
    ).toBe(1);
    // Never the key: every attribute of every point is one of these.
    for (const point of messages) {
      for (const name of Object.keys(point.attributes)) {
        expect([
          'oncely.outcome',
          'oncely.namespace',
          'messaging.system',
          'messaging.destination.name',
          'error.type',
        ]).toContain(name);
      }
    }
    const claims = await otel.points('oncely.store.duration');
    expect(
      sumOf(claims, { 'oncely.namespace': namespace, 'oncely.store.operation': 'claim' }),
    ).toBe(3);
    const handlers = await otel.points('oncely.handler.duration');
    expect(sumOf(handlers, { 'oncely.namespace': namespace })).toBe(3);
    expect(sumOf(handlers, { 'oncely.namespace': namespace, 'error.type': 'TypeError' })).toBe(1);
  });

  it('the redelivery of a message already done is a duplicate, without running the handler', async () => {
    const q = await sqs.queue({ visibilityTimeout: 1 });
    const queue = nameOf(q);
    const [id] = await sendMessages(sqs.client, q, [{ body: 'once' }]);
    const namespace = table.namespace();
    let runs = 0;
    const options = {
      store: table.store,
      namespace,
      logger: silentLogger,
      telemetry: openTelemetry(otel.providers),
      handler: () => {
        runs++;
      },
    };
    // The first invocation ran the handler but answered failed (lost its answer): SQS redelivers.
    const lostAnswer = createSqsHandler(options);
    let invocations = 0;
    const source = createSqsEventSource({
      client: sqs.client,
      queueUrl: q.url,
      handler: async (event, context) => {
        const response = await lostAnswer(event, context);
        invocations++;
        return invocations === 1
          ? { batchItemFailures: [{ itemIdentifier: id as string }] }
          : response;
      },
    });
    await source.runUntil((seen) => seen.some((i) => i.succeeded.includes(id as string)));
    expect(runs).toBe(1);
    const outcomes = otel
      .spans(`process ${queue}`)
      .filter((span) => span.attributes['messaging.message.id'] === id)
      .map((span) => span.attributes['oncely.outcome']);
    expect(outcomes).toEqual(['processed', 'duplicate']);
    const messages = await otel.points('oncely.messages');
    expect(sumOf(messages, { 'oncely.namespace': namespace, 'oncely.outcome': 'duplicate' })).toBe(
      1,
    );
  });
});
