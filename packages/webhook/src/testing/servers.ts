import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { expressWebhook } from '../adapters/express.js';
import { fastifyWebhook } from '../adapters/fastify.js';
import { honoWebhook } from '../adapters/hono.js';
import { lambdaWebhook } from '../adapters/lambda.js';
import type { WebhookHandler } from '../handler.js';

/** A receiver being served, and how to reach and stop it. */
export interface ServedReceiver {
  /** The receiver's URL, e.g. `http://127.0.0.1:49152/webhook`. */
  readonly url: string;
  close(): Promise<void>;
}

/** Serves a receiver at `/webhook` on a real server on 127.0.0.1, on a free port. */
export type ServeReceiver = (receiver: WebhookHandler) => Promise<ServedReceiver>;

const HOST = '127.0.0.1';
const PATH = '/webhook';

/** Express 5 with {@link expressWebhook}, no body parser in front. */
export const serveExpress: ServeReceiver = async (receiver) => {
  const { default: express } = await import('express');
  const app = express();
  app.post(PATH, expressWebhook(receiver));
  app.use(express.json());
  return listen(createServer(app));
};

/** Express 5 with `express.raw()` in front: the adapter uses its Buffer. */
export const serveExpressRaw: ServeReceiver = async (receiver) => {
  const { default: express } = await import('express');
  const app = express();
  app.post(
    PATH,
    express.raw({ type: () => true, limit: receiver.maxBodyBytes }),
    expressWebhook(receiver),
  );
  return listen(createServer(app));
};

/** Fastify 5 with the {@link fastifyWebhook} plugin. */
export const serveFastify: ServeReceiver = async (receiver) => {
  const { default: Fastify } = await import('fastify');
  const app = Fastify();
  await app.register(fastifyWebhook, { path: PATH, handler: receiver });
  await app.listen({ port: 0, host: HOST });
  const { port } = app.server.address() as AddressInfo;
  return { url: `http://${HOST}:${port}${PATH}`, close: () => app.close() };
};

/** Hono 4 on `@hono/node-server` with {@link honoWebhook}. */
export const serveHono: ServeReceiver = async (receiver) => {
  const [{ Hono }, { createAdaptorServer }] = await Promise.all([
    import('hono'),
    import('@hono/node-server'),
  ]);
  const app = new Hono();
  app.post(PATH, honoWebhook(receiver));
  return listen(createAdaptorServer({ fetch: app.fetch }) as Server);
};

/**
 * {@link lambdaWebhook} behind a local stand-in for a Lambda Function URL: each HTTP
 * request becomes a payload format 2.0 event (binary bodies base64, text bodies as
 * they are, cookies split out), and the structured result becomes the HTTP response.
 */
export const serveLambda: ServeReceiver = async (receiver) => {
  const lambda = lambdaWebhook(receiver);
  const server = createServer(async (req, res) => {
    const result = await lambda(await toEvent(req), { getRemainingTimeInMillis: () => 30_000 });
    res.statusCode = result.statusCode ?? 200;
    for (const [name, value] of Object.entries(result.headers ?? {})) {
      res.setHeader(name, String(value));
    }
    if (result.cookies?.length) res.setHeader('set-cookie', result.cookies);
    res.end(Buffer.from(result.body ?? '', result.isBase64Encoded ? 'base64' : 'utf8'));
  });
  return listen(server);
};

async function toEvent(req: IncomingMessage): Promise<APIGatewayProxyEventV2> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks);
  const headers: Record<string, string> = {};
  let cookies: string[] | undefined;
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    if (name === 'cookie') cookies = String(value).split('; ');
    else headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const url = new URL(req.url ?? '/', `http://${HOST}`);
  const method = req.method ?? 'GET';
  const text = /json|text/.test(headers['content-type'] ?? '');
  const now = new Date();
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    ...(cookies ? { cookies } : {}),
    headers,
    requestContext: {
      accountId: 'anonymous',
      apiId: 'local',
      domainName: headers.host ?? HOST,
      domainPrefix: 'local',
      http: {
        method,
        path: url.pathname,
        protocol: 'HTTP/1.1',
        sourceIp: HOST,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: now.toISOString(),
      timeEpoch: now.getTime(),
    },
    ...(body.byteLength > 0
      ? { body: body.toString(text ? 'utf8' : 'base64'), isBase64Encoded: !text }
      : { isBase64Encoded: false }),
  };
}

async function listen(server: Server): Promise<ServedReceiver> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, HOST, resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${HOST}:${port}${PATH}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Keep-alive sockets from the test client would hold close() open.
        server.closeAllConnections();
      }),
  };
}

/** Every adapter of this package, by name: run a suite once per entry. */
export const adapterServers: Readonly<Record<string, ServeReceiver>> = {
  express: serveExpress,
  fastify: serveFastify,
  hono: serveHono,
  'lambda (Function URL events)': serveLambda,
};
