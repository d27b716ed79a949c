/**
 * OpenTelemetry through a real webhook receiver: the Idempotency-Key provider served by
 * Express on a real HTTP server, DynamoDB Local as the store, the SDK's in-memory exporters.
 */
import { randomUUID } from 'node:crypto';
import { silentLogger } from '@oncely/core';
import { openTelemetry } from '@oncely/telemetry/opentelemetry';
import { sumOf, useOpenTelemetry } from '@oncely/test-support/otel';
import { describeWithServers } from '@oncely/test-support/servers';
import { useStoreTable } from '@oncely/test-support/tables';
import { createWebhookHandler, idempotencyKey } from '@oncely/webhook';
import { type ServedReceiver, serveExpress } from '@oncely/webhook/testing';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { afterEach, expect, it } from 'vitest';

describeWithServers('OpenTelemetry through a webhook receiver on Express', () => {
  const table = useStoreTable('otel-webhook');
  const otel = useOpenTelemetry();
  let served: ServedReceiver | undefined;
  afterEach(async () => {
    await served?.close();
  });

  it('a server span per request, its parent the request traceparent, with the HTTP attributes; duplicates and failures told apart', async () => {
    const namespace = `orders-${randomUUID()}`;
    const receiver = createWebhookHandler({
      provider: idempotencyKey({ caller: () => 'caller-1' }),
      store: table.store,
      namespace,
      logger: silentLogger,
      telemetry: openTelemetry(otel.providers),
      handler: async ({ json }) => {
        if (json<{ fail?: boolean }>().fail) throw new RangeError('no such order');
        return Response.json({ created: true }, { status: 201 });
      },
    });
    served = await serveExpress(receiver);
    const producer = otel.producer();
    const post = (key: string, body: object) =>
      fetch(served?.url as string, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'idempotency-key': key,
          traceparent: producer.traceparent,
        },
        body: JSON.stringify(body),
      });
    expect((await post('order-1', { fail: false })).status).toBe(201);
    expect((await post('order-1', { fail: false })).status).toBe(201);
    expect((await post('order-2', { fail: true })).status).toBe(500);

    const spans = otel.spans('POST');
    expect(spans.map((span) => span.attributes['oncely.outcome'])).toEqual([
      'processed',
      'duplicate',
      'failed',
    ]);
    const [first, , failed] = spans;
    expect(first).toMatchObject({
      kind: SpanKind.SERVER,
      attributes: {
        'http.request.method': 'POST',
        'url.path': '/webhook',
        'url.scheme': 'http',
        'http.response.status_code': 201,
        'oncely.webhook.provider': 'idempotency-key',
        'oncely.namespace': namespace,
        'oncely.key': 'caller-1:order-1',
      },
    });
    expect(first?.parentSpanContext?.spanId).toBe(producer.context.spanId);
    expect(first?.spanContext().traceId).toBe(producer.context.traceId);
    expect(failed?.status.code).toBe(SpanStatusCode.ERROR);
    expect(failed?.attributes).toMatchObject({
      'http.response.status_code': 500,
      'error.type': 'WebhookHandlerError',
    });

    const messages = await otel.points('oncely.messages');
    const of = { 'oncely.namespace': namespace, 'messaging.system': 'http' };
    expect(sumOf(messages, { ...of, 'oncely.outcome': 'processed' })).toBe(1);
    expect(sumOf(messages, { ...of, 'oncely.outcome': 'duplicate' })).toBe(1);
    expect(sumOf(messages, { ...of, 'oncely.outcome': 'failed' })).toBe(1);
  });
});
