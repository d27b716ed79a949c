import { ManualClock, MemoryStore } from '@oncely/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import {
  createWebhookHandler,
  stripeSignatureHeader,
  stripeWebhooks,
  type WebhookHandlerFunction,
} from '../src/index.js';
import { lambdaWebhook } from '../src/lambda/index.js';

const secret = 'whsec_lambda';

/** A Lambda Function URL event, in the shape AWS documents for payload format 2.0. */
function functionUrlEvent(
  body: string | undefined,
  overrides: Partial<APIGatewayProxyEventV2> = {},
) {
  const event: APIGatewayProxyEventV2 = {
    version: '2.0',
    routeKey: '$default',
    rawPath: '/webhooks/stripe',
    rawQueryString: 'source=stripe&attempt=1',
    cookies: ['session=abc', 'theme=dark'],
    headers: {
      'content-type': 'application/json',
      host: 'abcdefg.lambda-url.eu-west-1.on.aws',
      'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
      'x-amzn-trace-id': 'Root=1-5e723f3e-1a2b3c4d5e6f',
      'x-forwarded-proto': 'https',
      ...(body === undefined
        ? {}
        : {
            'stripe-signature': stripeSignatureHeader(secret, Math.floor(Date.now() / 1000), body),
          }),
    },
    queryStringParameters: { source: 'stripe', attempt: '1' },
    requestContext: {
      accountId: '123456789012',
      apiId: 'abcdefg',
      domainName: 'abcdefg.lambda-url.eu-west-1.on.aws',
      domainPrefix: 'abcdefg',
      http: {
        method: 'POST',
        path: '/webhooks/stripe',
        protocol: 'HTTP/1.1',
        sourceIp: '54.187.174.169',
        userAgent: 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
      },
      requestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
      routeKey: '$default',
      stage: '$default',
      time: '01/Jan/2026:00:00:00 +0000',
      timeEpoch: 1_767_225_600_000,
    },
    isBase64Encoded: false,
    ...(body === undefined ? {} : { body }),
    ...overrides,
  };
  return event;
}

const eventBody = JSON.stringify({ id: 'evt_lambda', type: 'charge.succeeded', data: {} });

function lambda(handler: WebhookHandlerFunction, clock = new ManualClock(Date.now())) {
  const receiver = createWebhookHandler({
    provider: stripeWebhooks({ secret }),
    store: new MemoryStore(),
    namespace: 'stripe',
    clock,
    handler,
  });
  return { run: lambdaWebhook(receiver), receiver };
}

describe('lambdaWebhook (Function URL / HTTP API payload 2.0)', () => {
  it('turns the event into a Request: URL, method, headers and cookies', async () => {
    let seen: Request | undefined;
    const { run } = lambda(({ request }) => {
      seen = request;
      return Response.json({ received: true });
    });
    const result = await run(functionUrlEvent(eventBody));
    expect(result).toMatchObject({
      statusCode: 200,
      body: '{"received":true}',
      isBase64Encoded: false,
    });
    expect(result.headers?.['content-type']).toBe('application/json');
    expect(seen?.url).toBe(
      'https://abcdefg.lambda-url.eu-west-1.on.aws/webhooks/stripe?source=stripe&attempt=1',
    );
    expect(seen?.method).toBe('POST');
    expect(seen?.headers.get('cookie')).toBe('session=abc; theme=dark');
    expect(seen?.headers.get('x-amzn-trace-id')).toBe('Root=1-5e723f3e-1a2b3c4d5e6f');
  });

  it('verifies a base64-encoded body over its exact bytes', async () => {
    const { run } = lambda(
      ({ body }) => new Response(body, { headers: { 'content-type': 'application/json' } }),
    );
    const event = functionUrlEvent(eventBody);
    const result = await run({
      ...event,
      body: Buffer.from(eventBody).toString('base64'),
      isBase64Encoded: true,
    });
    expect(result.statusCode).toBe(200);
    expect(result.body).toBe(eventBody);
  });

  it('rejects a tampered base64 body with 401', async () => {
    const { run } = lambda(() => undefined);
    const event = functionUrlEvent(eventBody);
    const tampered = eventBody.replace('charge', 'refund');
    const result = await run({
      ...event,
      body: Buffer.from(tampered).toString('base64'),
      isBase64Encoded: true,
    });
    expect(result.statusCode).toBe(401);
  });

  it('returns binary responses base64 and Set-Cookie in cookies, and replays the bytes', async () => {
    const bytes = new Uint8Array([0xff, 0x00, 0xfe, 0x80]);
    const { run } = lambda(() => {
      const headers = new Headers({ 'content-type': 'application/octet-stream' });
      headers.append('set-cookie', 'a=1');
      headers.append('set-cookie', 'b=2');
      return new Response(bytes, { headers });
    });
    const first = await run(functionUrlEvent(eventBody));
    expect(first.isBase64Encoded).toBe(true);
    expect(Buffer.from(first.body ?? '', 'base64')).toEqual(Buffer.from(bytes));
    expect(first.cookies).toEqual(['a=1', 'b=2']);
    expect(first.headers?.['set-cookie']).toBeUndefined();
    const replay = await run(functionUrlEvent(eventBody));
    expect(Buffer.from(replay.body ?? '', 'base64')).toEqual(Buffer.from(bytes));
    expect(replay.headers?.['idempotent-replayed']).toBe('true');
    expect(replay.cookies).toBeUndefined();
  });

  it('caps the lease by the remaining invocation time', async () => {
    const clock = new ManualClock(Date.now());
    let leaseUntil: number | undefined;
    const { run, receiver } = lambda(async (delivery) => {
      leaseUntil = (await receiver.deduper.get(delivery.key))?.leaseUntil;
      return undefined;
    }, clock);
    await run(functionUrlEvent(eventBody), { getRemainingTimeInMillis: () => 4_000 });
    expect(leaseUntil).toBe(clock.now() + 4_000);
  });

  it('keeps the configured lease when more time remains, or without a context', async () => {
    const clock = new ManualClock(Date.now());
    const leases: (number | undefined)[] = [];
    const { run, receiver } = lambda(async (delivery) => {
      leases.push((await receiver.deduper.get(delivery.key))?.leaseUntil);
      return new Response(null, { status: 503 }); // released, so the next call runs again
    }, clock);
    await run(functionUrlEvent(eventBody), { getRemainingTimeInMillis: () => 900_000 });
    await run(functionUrlEvent(eventBody));
    expect(leases).toEqual([clock.now() + 60_000, clock.now() + 60_000]);
  });

  it('handles an API Gateway HTTP API event with a route key and stage', async () => {
    let url: string | undefined;
    const { run } = lambda(({ request }) => {
      url = request.url;
      return undefined;
    });
    const event = functionUrlEvent(eventBody, {
      routeKey: 'POST /webhooks/stripe',
      rawPath: '/prod/webhooks/stripe',
      rawQueryString: '',
    });
    event.requestContext = {
      ...event.requestContext,
      domainName: 'r3pmxmplak.execute-api.us-east-2.amazonaws.com',
      routeKey: 'POST /webhooks/stripe',
      stage: 'prod',
    };
    const result = await run(event);
    expect(result.statusCode).toBe(204);
    expect(result.body).toBe('');
    expect(url).toBe('https://r3pmxmplak.execute-api.us-east-2.amazonaws.com/prod/webhooks/stripe');
  });

  it('answers 401 to an event without a body or signature', async () => {
    const { run } = lambda(() => undefined);
    const result = await run(functionUrlEvent(undefined));
    expect(result.statusCode).toBe(401);
    expect(result.headers?.['content-type']).toBe('application/problem+json');
  });
});
