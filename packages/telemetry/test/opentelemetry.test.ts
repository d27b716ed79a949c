import { createHash } from 'node:crypto';
import {
  createDeduper,
  InProgressError,
  ManualClock,
  MemoryStore,
  silentLogger,
} from '@oncely/core';
import { createEachBatchHandler } from '@oncely/kafka/kafkajs';
import { createSqsHandler } from '@oncely/sqs';
import { createLambdaContext, createSqsRecord } from '@oncely/sqs/testing';
import { fromXrayHeader, openTelemetry } from '@oncely/telemetry/opentelemetry';
import { sumOf, useOpenTelemetry } from '@oncely/test-support/otel';
import { context, SpanStatusCode, trace } from '@opentelemetry/api';
import type { SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { batchPayload, message } from '../../kafka/test/fakes.js';

const otel = useOpenTelemetry();

function record(messageId: string, extra: Partial<SQSRecord> = {}): SQSRecord {
  return { ...createSqsRecord(messageId, { body: 'b' }), ...extra };
}

describe('openTelemetry', () => {
  it("keys: 'hash' puts the key's SHA-256 on the span, and no error message (it names the key)", async () => {
    const handler = createSqsHandler({
      store: new MemoryStore(),
      namespace: 'hashed',
      logger: silentLogger,
      telemetry: openTelemetry({ ...otel.providers, keys: 'hash' }),
      handler: () => {
        throw new Error('secret-key-1 declined');
      },
    });
    await handler({ Records: [record('secret-key-1')] }, createLambdaContext());
    const [span] = otel
      .spans('process orders')
      .filter((s) => !s.attributes['messaging.batch.message_count']);
    expect(span?.attributes['oncely.key']).toBeUndefined();
    expect(span?.attributes['oncely.key.hash']).toBe(
      createHash('sha256').update('secret-key-1').digest('hex'),
    );
    expect(span?.status).toEqual({ code: SpanStatusCode.ERROR, message: 'Error' });
    expect(span?.events).toEqual([]);
  });

  it('an X-Ray AWSTraceHeader is the parent when no traceparent came', async () => {
    const header = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1';
    expect(fromXrayHeader(header)).toEqual({
      traceId: '5759e988bd862e3fe1be46a994272793',
      spanId: '53995c3f42cd8ad8',
      traceFlags: 1,
      isRemote: true,
    });
    expect(fromXrayHeader('Root=1-5759e988-bd862e3fe1be46a994272793')).toBeUndefined();
    const handler = createSqsHandler({
      store: new MemoryStore(),
      namespace: 'xray',
      logger: silentLogger,
      telemetry: openTelemetry(otel.providers),
      handler: () => {},
    });
    const traced = record('m-1');
    await handler(
      { Records: [{ ...traced, attributes: { ...traced.attributes, AWSTraceHeader: header } }] },
      createLambdaContext(),
    );
    const span = otel
      .spans('process orders')
      .find((s) => s.attributes['messaging.message.id'] === 'm-1');
    expect(span?.spanContext().traceId).toBe('5759e988bd862e3fe1be46a994272793');
    expect(span?.parentSpanContext?.spanId).toBe('53995c3f42cd8ad8');
  });

  it('a key in progress elsewhere is counted as in_progress, and is not an error', async () => {
    const store = new MemoryStore();
    const clock = new ManualClock(0);
    await store.claim('busy#k', { leaseMs: 60_000, ttlMs: 120_000, now: 0 });
    const handler = createSqsHandler({
      store,
      clock,
      namespace: 'busy',
      key: 'messageId',
      logger: silentLogger,
      telemetry: openTelemetry(otel.providers),
      handler: () => {},
    });
    const response = await handler({ Records: [record('k')] }, createLambdaContext());
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'k' }]);
    const span = otel
      .spans('process orders')
      .find((s) => s.attributes['messaging.message.id'] === 'k');
    expect(span?.attributes).toMatchObject({
      'oncely.outcome': 'in_progress',
      'error.type': 'InProgressError',
    });
    expect(span?.status.code).toBe(SpanStatusCode.UNSET);
    const points = await otel.points('oncely.messages');
    expect(sumOf(points, { 'oncely.namespace': 'busy', 'oncely.outcome': 'in_progress' })).toBe(1);
    expect(InProgressError.name).toBe('InProgressError');
  });

  it('a takeover and a lost lease are span attributes, span events and counters', async () => {
    const store = new MemoryStore();
    const clock = new ManualClock(0);
    const telemetry = openTelemetry(otel.providers);
    const stale = createDeduper({
      store,
      clock,
      namespace: 'lost',
      lease: 1_000,
      logger: silentLogger,
      telemetry,
    });
    const scope = telemetry.message?.({
      system: 'kafka',
      destination: 'orders',
      messageId: undefined,
      attributes: {},
      carrier: undefined,
    });
    let release!: () => void;
    const staleRun = scope?.with(() =>
      stale.run(
        'k',
        () =>
          new Promise<void>((resolve) => {
            release = resolve;
          }),
      ),
    );
    await new Promise((resolve) => setImmediate(resolve));
    clock.advance(2_000);
    const fresh = telemetry.message?.({
      system: 'kafka',
      destination: 'orders',
      messageId: undefined,
      attributes: {},
      carrier: undefined,
    });
    await fresh?.with(() => stale.run('k', () => 'again'));
    fresh?.end({ status: 'processed', namespace: 'lost', key: 'k' });
    release();
    const error = await staleRun?.catch((e: unknown) => e);
    scope?.end({ status: 'failed', namespace: 'lost', key: 'k', error });
    const [taker, loser] = [otel.spans('process orders')[0], otel.spans('process orders')[1]];
    expect(taker?.attributes).toMatchObject({
      'oncely.takeover': true,
      'oncely.outcome': 'processed',
    });
    expect(taker?.events.map((e) => e.name)).toEqual(['oncely.takeover']);
    expect(loser?.attributes).toMatchObject({
      'oncely.lease_lost': true,
      'error.type': 'LeaseLostError',
    });
    expect(loser?.events.map((e) => e.name)).toEqual(['oncely.lease_lost', 'exception']);
    expect(sumOf(await otel.points('oncely.takeovers'), { 'oncely.namespace': 'lost' })).toBe(1);
    expect(
      sumOf(await otel.points('oncely.lease.lost'), {
        'oncely.namespace': 'lost',
        'oncely.lease.operation': 'complete',
      }),
    ).toBe(1);
  });

  it('a store failure is a failed store span, an oncely.store.errors count by the cause type', async () => {
    class Broken extends MemoryStore {
      override async claim(): Promise<never> {
        throw new TypeError('socket hang up');
      }
    }
    const handler = createSqsHandler({
      store: new Broken(),
      namespace: 'broken',
      logger: silentLogger,
      telemetry: openTelemetry(otel.providers),
      handler: () => {},
    });
    await handler({ Records: [record('m')] }, createLambdaContext());
    const [claim] = otel.spans('oncely claim');
    expect(claim?.status.code).toBe(SpanStatusCode.ERROR);
    expect(claim?.attributes['error.type']).toBe('TypeError');
    const errors = await otel.points('oncely.store.errors');
    expect(
      sumOf(errors, {
        'oncely.namespace': 'broken',
        'oncely.store.operation': 'claim',
        'error.type': 'TypeError',
      }),
    ).toBe(1);
    const messages = await otel.points('oncely.messages');
    expect(sumOf(messages, { 'oncely.namespace': 'broken', 'error.type': 'StoreError' })).toBe(1);
  });

  it('Kafka eachBatch: a batch span linked to each producer, the process spans its children', async () => {
    const producer = otel.producer();
    const eachBatch = createEachBatchHandler({
      store: new MemoryStore(),
      groupId: 'billing',
      logger: silentLogger,
      telemetry: openTelemetry(otel.providers),
      handler: () => {},
    });
    const { payload } = batchPayload([
      message(0, 'a', { traceparent: producer.traceparent }),
      message(1),
    ]);
    await eachBatch(payload);
    const spans = otel.spans('process orders');
    const batch = spans.find((s) => s.attributes['messaging.batch.message_count'] === 2);
    expect(batch?.links.map((link) => link.context.spanId)).toEqual([producer.context.spanId]);
    const [traced, plain] = spans.filter((s) => s !== batch);
    expect(traced?.parentSpanContext?.spanId).toBe(producer.context.spanId);
    expect(traced?.links.map((link) => link.context.spanId)).toEqual([batch?.spanContext().spanId]);
    expect(plain?.parentSpanContext?.spanId).toBe(batch?.spanContext().spanId);
    expect(plain?.attributes['messaging.consumer.group.name']).toBe('billing');
  });

  it('with no SDK registered, nothing is recorded and runs behave as without telemetry', async () => {
    const telemetry = openTelemetry();
    const deduper = createDeduper({ store: new MemoryStore(), namespace: 'off', telemetry });
    const scope = telemetry.message?.({
      system: 'aws_sqs',
      destination: 'q',
      messageId: 'm',
      attributes: {},
      carrier: undefined,
    });
    const result = await scope?.with(() => deduper.run('k', () => 42));
    scope?.end({ status: 'processed', namespace: 'off', key: 'k' });
    expect(result).toMatchObject({ status: 'processed', result: 42 });
    expect(trace.getSpan(context.active())).toBeUndefined();
    expect(otel.spans()).toEqual([]);
  });

  it('refuses a bad keys option', () => {
    // @ts-expect-error not a mode
    expect(() => openTelemetry({ keys: 'secret' })).toThrow(/keys/);
  });
});
