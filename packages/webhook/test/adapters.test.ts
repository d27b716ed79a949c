import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MemoryStore } from '@oncely/core';
import express from 'express';
import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { expressWebhook } from '../src/express/index.js';
import { fastifyWebhook } from '../src/fastify/index.js';
import { createWebhookHandler, RawBodyUnavailableError } from '../src/index.js';
import { stripeKit } from '../src/testing/kits.js';

const receiver = () =>
  createWebhookHandler({
    provider: stripeKit.provider(),
    store: new MemoryStore(),
    namespace: 'adapters',
    handler: () => Response.json({ ok: true }),
  });

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

describe('expressWebhook', () => {
  it('passes RawBodyUnavailableError to next when express.json() ran first', async () => {
    const errors: unknown[] = [];
    const app = express();
    app.use(express.json());
    app.post('/webhook', expressWebhook(receiver()));
    app.use(
      (
        error: unknown,
        _req: express.Request,
        res: express.Response,
        _next: express.NextFunction,
      ) => {
        errors.push(error);
        res.status(500).end();
      },
    );
    const server = createServer(app).listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    closers.push(() => new Promise((resolve) => server.close(() => resolve())));
    const { port } = server.address() as AddressInfo;
    const delivery = stripeKit.sign('evt_json_first', { amount: 1 });
    const response = await fetch(`http://127.0.0.1:${port}/webhook`, {
      method: 'POST',
      headers: delivery.headers,
      body: delivery.body,
    });
    expect(response.status).toBe(500);
    expect(errors[0]).toBeInstanceOf(RawBodyUnavailableError);
    expect((errors[0] as Error).message).toMatch(/express\.json\(\)/);
  });
});

describe('fastifyWebhook', () => {
  it('keeps its raw parser to its own route: other routes still parse JSON', async () => {
    const app = Fastify();
    await app.register(fastifyWebhook, { path: '/webhook', handler: receiver() });
    app.post('/json', async (request) => ({ parsed: request.body }));
    closers.push(() => app.close());
    const json = await app.inject({ method: 'POST', url: '/json', payload: { a: 1 } });
    expect(json.json()).toEqual({ parsed: { a: 1 } });
    const delivery = stripeKit.sign('evt_fastify', { amount: 1 });
    const hook = await app.inject({
      method: 'POST',
      url: '/webhook',
      headers: delivery.headers,
      payload: delivery.body,
    });
    expect(hook.statusCode).toBe(200);
    expect(hook.json()).toEqual({ ok: true });
  });

  it('answers 401 to a request with no body at all', async () => {
    const app = Fastify();
    await app.register(fastifyWebhook, { path: '/webhook', handler: receiver() });
    closers.push(() => app.close());
    const response = await app.inject({ method: 'POST', url: '/webhook' });
    expect(response.statusCode).toBe(401);
  });
});
