import net from 'node:net';

/** Options of {@link startDelayProxy}. */
export interface DelayProxyOptions {
  /** Where to forward, e.g. `http://127.0.0.1:8000` or `127.0.0.1:8000`. */
  readonly target: string;
  /**
   * Added to every request: bytes from the client reach the server this much later
   * (a request that arrives in several chunks is delayed once, since the chunks'
   * delays overlap). Responses pass at once.
   * @default 5
   */
  readonly delayMs?: number;
}

/** A running proxy. */
export interface DelayProxy {
  /** `http://127.0.0.1:<port>`: give it to the SDK client as its endpoint. */
  readonly endpoint: string;
  readonly port: number;
  /** Stops listening and closes every connection. */
  close(): Promise<void>;
}

/** Defaults of {@link DelayProxyOptions}. */
export const DELAY_PROXY_DEFAULTS = { delayMs: 5 } as const;

/**
 * A TCP proxy on 127.0.0.1 that holds each client-to-server chunk for `delayMs`
 * before forwarding it, in order: like a real AWS round trip in front of a local
 * server, so round trips rather than CPU bound a benchmark.
 *
 * @example
 * const proxy = await startDelayProxy({ target: dynamodbEndpoint, delayMs: 5 });
 * const client = new DynamoDBClient({ endpoint: proxy.endpoint, ... });
 * await proxy.close();
 */
export async function startDelayProxy(options: DelayProxyOptions): Promise<DelayProxy> {
  const delayMs = options.delayMs ?? DELAY_PROXY_DEFAULTS.delayMs;
  if (!(Number.isFinite(delayMs) && delayMs >= 0)) {
    throw new RangeError(`delayMs must be a non-negative number, got ${delayMs}`);
  }
  const { host, port: targetPort } = parseTarget(options.target);
  const sockets = new Set<net.Socket>();
  // Half-open both ways: a client that ends its side still gets the whole answer.
  const server = net.createServer({ allowHalfOpen: true }, (client) => {
    const upstream = net.connect({ port: targetPort, host, allowHalfOpen: true });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.setNoDelay(true);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    forwardDelayed(client, upstream, delayMs);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/**
 * Forwards `from` to `to`, each chunk `delayMs` after it arrived, keeping the order:
 * chunks queue with their due time and one timer drains whatever is due.
 */
function forwardDelayed(from: net.Socket, to: net.Socket, delayMs: number): void {
  const queue: { chunk: Buffer; due: number }[] = [];
  let timer: NodeJS.Timeout | undefined;
  let ended = false;
  const drain = () => {
    timer = undefined;
    const now = performance.now();
    while (queue.length > 0 && (queue[0] as { due: number }).due <= now) {
      to.write((queue.shift() as { chunk: Buffer }).chunk);
    }
    if (queue.length > 0) schedule();
    else if (ended) to.end();
  };
  const schedule = () => {
    const head = queue[0] as { due: number };
    timer ??= setTimeout(drain, Math.max(0, head.due - performance.now()));
  };
  from.on('data', (chunk: Buffer) => {
    queue.push({ chunk, due: performance.now() + delayMs });
    schedule();
  });
  from.on('end', () => {
    ended = true;
    if (queue.length === 0) to.end();
  });
  from.on('close', () => {
    if (timer !== undefined && to.destroyed) clearTimeout(timer);
  });
}

function parseTarget(target: string): { host: string; port: number } {
  const url = new URL(target.includes('://') ? target : `tcp://${target}`);
  const port = Number(url.port);
  if (!(Number.isInteger(port) && port > 0)) {
    throw new RangeError(`target must name a port, got "${target}"`);
  }
  return { host: url.hostname, port };
}
