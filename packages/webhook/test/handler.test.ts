import {
  type DedupStore,
  InProgressError,
  InvalidOptionError,
  ManualClock,
  MemoryStore,
  type OncelyEvent,
} from '@oncely/core';
import { describe, expect, it } from 'vitest';
import {
  createWebhookHandler,
  idempotencyKey,
  stripeSignatureHeader,
  stripeWebhooks,
  type WebhookHandlerOptions,
} from '../src/index.js';

const URL = 'https://api.test/orders';
const provider = idempotencyKey({ caller: () => 'acct_1' });

function post(
  key: string | undefined,
  body = '{"amount":1}',
  headers: Record<string, string> = {},
) {
  return new Request(URL, {
    method: 'POST',
    headers: { ...(key === undefined ? {} : { 'idempotency-key': key }), ...headers },
    body,
  });
}

function receiver(overrides: Partial<WebhookHandlerOptions> = {}) {
  let runs = 0;
  const options: WebhookHandlerOptions = {
    provider,
    store: new MemoryStore(),
    namespace: 'orders',
    handler: () => {
      runs += 1;
      return Response.json({ run: runs }, { status: 201 });
    },
    ...overrides,
  };
  return { handler: createWebhookHandler(options), runs: () => runs };
}

/** A store whose chosen operation fails, as a throttled or unreachable DynamoDB would. */
function failingStore(operation: keyof DedupStore): DedupStore {
  const store = new MemoryStore();
  return new Proxy(store, {
    get(target, property, receiver) {
      if (property === operation) return () => Promise.reject(new Error('throttled'));
      const value = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

describe('createWebhookHandler (Fetch core)', () => {
  it('stores a 4xx answer and replays it: the handler decided, a retry gets the same decision', async () => {
    let runs = 0;
    const { handler } = receiver({
      handler: () => {
        runs += 1;
        return Response.json({ error: 'card_declined' }, { status: 402 });
      },
    });
    const first = await handler.fetch(post('k1'));
    const second = await handler.fetch(post('k1'));
    expect([first.status, second.status]).toEqual([402, 402]);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(await second.json()).toEqual({ error: 'card_declined' });
    expect(runs).toBe(1);
  });

  it.each([408, 425, 429, 500, 502])(
    'releases the key on a %i answer and passes it through',
    async (status) => {
      let runs = 0;
      const { handler } = receiver({
        handler: () => {
          runs += 1;
          return new Response('later', {
            status: runs === 1 ? status : 200,
            headers: { 'retry-after': '3' },
          });
        },
      });
      const first = await handler.fetch(post('k'));
      expect(first.status).toBe(status);
      expect(first.headers.get('retry-after')).toBe('3');
      expect((await handler.fetch(post('k'))).status).toBe(200);
      expect(runs).toBe(2);
    },
  );

  it('lets isRetryableStatus decide which answers are kept', async () => {
    let runs = 0;
    const { handler } = receiver({
      isRetryableStatus: (status) => status === 409,
      handler: () => {
        runs += 1;
        return new Response(null, { status: runs === 1 ? 409 : 500 });
      },
    });
    expect((await handler.fetch(post('k'))).status).toBe(409);
    expect((await handler.fetch(post('k'))).status).toBe(500);
    const replay = await handler.fetch(post('k'));
    expect([replay.status, replay.headers.get('idempotent-replayed')]).toEqual([500, 'true']);
    expect(runs).toBe(2);
  });

  it('answers 204 when the handler returns nothing, and replays the 204', async () => {
    const { handler } = receiver({ handler: async () => {} });
    const first = await handler.fetch(post('k'));
    const second = await handler.fetch(post('k'));
    expect([first.status, second.status]).toEqual([204, 204]);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(await second.text()).toBe('');
  });

  it('keeps only the allow-listed headers for replay', async () => {
    const { handler } = receiver({
      replayHeaders: ['Content-Type', 'X-Order-Id'],
      handler: () =>
        new Response('ok', {
          headers: { 'content-type': 'text/plain', 'x-order-id': 'o1', location: '/orders/o1' },
        }),
    });
    await handler.fetch(post('k'));
    const replay = await handler.fetch(post('k'));
    expect(replay.headers.get('x-order-id')).toBe('o1');
    expect(replay.headers.get('content-type')).toBe('text/plain');
    expect(replay.headers.get('location')).toBeNull();
  });

  it('replays status and headers without the body when the response is over maxResultBytes', async () => {
    const big = 'x'.repeat(2048);
    const warnings: string[] = [];
    const { handler } = receiver({
      maxResultBytes: 1024,
      logger: { ...console, warn: (message: string) => warnings.push(message) },
      handler: () => new Response(big, { status: 201, headers: { 'content-type': 'text/plain' } }),
    });
    const first = await handler.fetch(post('k'));
    expect(await first.text()).toBe(big);
    const replay = await handler.fetch(post('k'));
    expect(replay.status).toBe(201);
    expect(replay.headers.get('content-type')).toBe('text/plain');
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(await replay.text()).toBe('');
    expect(warnings).toEqual([expect.stringMatching(/over maxResultBytes/)]);
  });

  it.each(['claim', 'complete'] as const)(
    'answers 503 when the store fails to %s, never a 2xx',
    async (operation) => {
      let runs = 0;
      const { handler } = receiver({
        store: failingStore(operation),
        handler: () => {
          runs += 1;
          return Response.json({ ok: true });
        },
      });
      const response = await handler.fetch(post('k'));
      expect(response.status).toBe(503);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      expect(runs).toBe(operation === 'claim' ? 0 : 1);
    },
  );

  it('answers 409 with Retry-After rounded up to whole seconds', async () => {
    const clock = new ManualClock();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const { handler } = receiver({
      clock,
      lease: '60s',
      handler: async () => {
        await gate;
        return Response.json({ ok: true });
      },
    });
    const first = handler.fetch(post('k'));
    await new Promise((resolve) => setImmediate(resolve));
    clock.advance(58_500);
    const conflict = await handler.fetch(post('k'));
    expect(conflict.status).toBe(409);
    expect(conflict.headers.get('retry-after')).toBe('2');
    expect(await conflict.json()).toMatchObject({ status: 409 });
    release();
    expect((await first).status).toBe(200);
  });

  it('answers 500, not 409, when the handler itself throws an oncely error', async () => {
    const { handler } = receiver({
      handler: () => {
        throw new InProgressError('nested deduper busy', 1000, { key: 'inner' });
      },
    });
    expect((await handler.fetch(post('k'))).status).toBe(500);
  });

  it('answers 500 and releases the key when the handler returns something other than a Response', async () => {
    let runs = 0;
    const { handler } = receiver({
      handler: () => {
        runs += 1;
        return (runs === 1 ? { ok: true } : Response.json({ ok: true })) as Response;
      },
    });
    expect((await handler.fetch(post('k'))).status).toBe(500);
    expect((await handler.fetch(post('k'))).status).toBe(200);
  });

  it('answers 400 without a key, 422 for a reused key, and keeps callers apart', async () => {
    const { handler, runs } = receiver({
      provider: idempotencyKey({
        caller: (request) => request.headers.get('x-account') ?? undefined,
      }),
    });
    const as = (account: string, key: string | undefined, body?: string) =>
      handler.fetch(post(key, body, { 'x-account': account }));
    expect((await as('a', undefined)).status).toBe(400);
    expect((await as('a', 'k')).status).toBe(201);
    expect((await as('a', 'k', '{"amount":2}')).status).toBe(422);
    expect((await as('b', 'k', '{"amount":2}')).status).toBe(201);
    expect(runs()).toBe(2);
  });

  it('answers 413 by Content-Length before reading, and 400 to an unauthenticated caller', async () => {
    const { handler } = receiver({
      maxBodyBytes: 10,
      provider: idempotencyKey({
        caller: (request) => request.headers.get('x-account') ?? undefined,
      }),
    });
    expect((await handler.fetch(post('k', 'x'.repeat(11), { 'x-account': 'a' }))).status).toBe(413);
    expect((await handler.fetch(post('k', '{}'))).status).toBe(401);
  });

  it('answers 500 when a body parser already read the body', async () => {
    const { handler, runs } = receiver();
    const request = post('k');
    await request.text();
    expect((await handler.fetch(request)).status).toBe(500);
    expect(runs()).toBe(0);
  });

  it('remembers keys for 7 days by default and honours a per-request lease', async () => {
    const clock = new ManualClock();
    const store = new MemoryStore();
    let record: unknown;
    const { handler } = receiver({
      clock,
      store,
      handler: async (delivery) => {
        record = await store.get(`orders#${delivery.key}`, { now: clock.now() });
        return undefined;
      },
    });
    await handler.fetch(post('k'), { leaseMs: 5000 });
    expect(record).toMatchObject({ leaseUntil: clock.now() + 5000 });
    const done = await handler.deduper.get('acct_1:k');
    expect(done?.expiresAt).toBe(Math.ceil((clock.now() + 7 * 86_400_000) / 1000));
  });

  it('hands the handler the verified payload, the raw body and the run context', async () => {
    const secret = 'whsec_unit';
    const body = JSON.stringify({ id: 'evt_1', type: 'x', data: {} });
    const seen: unknown[] = [];
    const events: OncelyEvent['type'][] = [];
    const handler = createWebhookHandler({
      provider: stripeWebhooks({ secret }),
      store: new MemoryStore(),
      namespace: 'stripe',
      onEvent: (event) => events.push(event.type),
      handler: (delivery, context) => {
        seen.push(
          delivery.key,
          delivery.provider,
          delivery.payload,
          delivery.json(),
          delivery.text(),
        );
        seen.push(context.storeKey, context.signal.aborted);
        return undefined;
      },
    });
    const header = stripeSignatureHeader(secret, Math.floor(Date.now() / 1000), body);
    const response = await handler.fetch(
      new Request('https://x.test/', {
        method: 'POST',
        headers: { 'stripe-signature': header },
        body,
      }),
    );
    expect(response.status).toBe(204);
    const event = JSON.parse(body);
    expect(seen).toEqual(['evt_1', 'stripe', event, event, body, 'stripe#evt_1', false]);
    expect(events).toEqual(['claimed', 'completed']);
  });

  it.each([
    [{ provider: undefined }, 'provider'],
    [{ handler: 'nope' }, 'handler'],
    [{ maxBodyBytes: 0 }, 'maxBodyBytes'],
    [{ replayHeaders: 'content-type' }, 'replayHeaders'],
    [{ isRetryableStatus: true }, 'isRetryableStatus'],
    [{ namespace: '' }, 'namespace'],
    [{ maxResultBytes: -1 }, 'maxResultBytes'],
  ])('rejects bad options at construction (%o)', (override, option) => {
    const error = (() => {
      try {
        receiver(override as Partial<WebhookHandlerOptions>);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(InvalidOptionError);
    expect((error as InvalidOptionError).option).toBe(option);
  });

  it.each([
    [{ maxBodyBytes: '1mb' }, 'got "1mb"'],
    [{ handler: { fetch: 1 } }, 'got {"fetch":1}'],
    [{ provider: { name: 'acme' } }, 'got {"name":"acme"}'],
    [{ replayHeaders: 'content-type' }, 'got "content-type"'],
  ])('shows the bad value readably (%o)', (override, shown) => {
    expect(() => receiver(override as Partial<WebhookHandlerOptions>)).toThrow(shown);
  });
});
