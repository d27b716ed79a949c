import { randomUUID } from 'node:crypto';
import { describeWithServers } from '@oncely/test-support/servers';
import { useStoreTable } from '@oncely/test-support/tables';
import { createWebhookHandler, idempotencyKey, type WebhookHandlerFunction } from '@oncely/webhook';
import { type ServedReceiver, serveExpress } from '@oncely/webhook/testing';
import { afterEach, expect, it } from 'vitest';

describeWithServers('Idempotency-Key API on Express and DynamoDB Local', () => {
  const table = useStoreTable('idempotency-key');
  let served: ServedReceiver | undefined;
  afterEach(async () => {
    await served?.close();
  });

  async function start(handler: WebhookHandlerFunction) {
    const receiver = createWebhookHandler({
      // The caller is whoever the bearer token names; no token, no identity: 401.
      provider: idempotencyKey({
        caller: (request) => request.headers.get('authorization')?.replace(/^Bearer /, ''),
      }),
      store: table.store,
      namespace: `orders-${randomUUID()}`,
      ttl: '24h',
      handler,
    });
    served = await serveExpress(receiver);
    const url = served.url;
    return (token: string | undefined, key: string | undefined, body: object) =>
      fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(key ? { 'idempotency-key': key } : {}),
        },
        body: JSON.stringify(body),
      });
  }

  it('creates once per key and caller, with the draft status codes', async () => {
    const orders: unknown[] = [];
    const post = await start((delivery) => {
      orders.push(delivery.json());
      return Response.json(
        { order: orders.length },
        { status: 201, headers: { location: `/orders/${orders.length}` } },
      );
    });
    const key = `"${randomUUID()}"`;
    const created = await post('client-a', key, { sku: 'tea', qty: 1 });
    expect(created.status).toBe(201);
    const retried = await post('client-a', key, { sku: 'tea', qty: 1 });
    expect(retried.status).toBe(201);
    expect(retried.headers.get('idempotent-replayed')).toBe('true');
    expect(retried.headers.get('location')).toBe('/orders/1');
    expect(await retried.json()).toEqual({ order: 1 });

    expect((await post('client-a', key, { sku: 'tea', qty: 2 })).status).toBe(422);
    expect((await post('client-a', undefined, { sku: 'tea', qty: 1 })).status).toBe(400);
    expect((await post(undefined, key, { sku: 'tea', qty: 1 })).status).toBe(401);
    // Another client's identical key is its own request.
    expect((await post('client-b', key, { sku: 'tea', qty: 2 })).status).toBe(201);
    expect(orders).toEqual([
      { sku: 'tea', qty: 1 },
      { sku: 'tea', qty: 2 },
    ]);
  });

  it('answers 409 with Retry-After to a retry while the first request is outstanding', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let entered!: () => void;
    const running = new Promise<void>((resolve) => {
      entered = resolve;
    });
    const post = await start(async () => {
      entered();
      await gate;
      return Response.json({ ok: true }, { status: 201 });
    });
    const key = randomUUID();
    const first = post('client-a', key, { sku: 'tea' });
    await running;
    const conflict = await post('client-a', key, { sku: 'tea' });
    expect(conflict.status).toBe(409);
    expect(Number(conflict.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    release();
    expect((await first).status).toBe(201);
  });
});
