import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';

/** The parts of a Node request an adapter reads; Express and Fastify requests have them. */
export interface NodeRequestLike {
  readonly method?: string | undefined;
  readonly url?: string | undefined;
  readonly headers: IncomingMessage['headers'];
}

/**
 * Builds a Fetch `Request` from a Node request and its body: a buffer a framework
 * already read raw, or the unread stream itself, so the Fetch core can enforce the
 * body limit while reading.
 */
export function toFetchRequest(
  node: NodeRequestLike,
  path: string,
  body: Uint8Array | Readable | undefined,
): Request {
  const method = (node.method ?? 'GET').toUpperCase();
  const headers = new Headers();
  for (const [name, value] of Object.entries(node.headers)) {
    // HTTP/2 pseudo-headers (":path") are not header fields.
    if (value === undefined || name.startsWith(':')) continue;
    if (Array.isArray(value)) for (const item of value) headers.append(name, item);
    else headers.set(name, value);
  }
  const hasBody = method !== 'GET' && method !== 'HEAD' && body !== undefined;
  return new Request(requestUrl(headers.get('host'), path), {
    method,
    headers,
    ...(hasBody
      ? { body: body instanceof Uint8Array ? body : bodyStream(body), duplex: 'half' }
      : {}),
  } as RequestInit);
}

/** Writes a Fetch `Response` to a Node response (status, headers, `Set-Cookie`s, body). */
export async function sendFetchResponse(res: ServerResponse, response: Response): Promise<void> {
  res.statusCode = response.status;
  if (response.statusText) res.statusMessage = response.statusText;
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') res.setHeader(name, value);
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) res.setHeader('set-cookie', cookies);
  res.end(Buffer.from(await response.arrayBuffer()));
}

function requestUrl(host: string | null, path: string): string {
  try {
    return new URL(path, `http://${host ?? 'localhost'}`).href;
  } catch {
    // A malformed Host header must not turn into a 500: the URL only feeds the
    // Idempotency-Key fingerprint, and the path is still right.
    return new URL(path, 'http://localhost').href;
  }
}

/**
 * A web stream over a Node request. Cancelling it (the body limit was passed)
 * discards the rest instead of destroying the socket, so the 413 still reaches the
 * client, as Node itself does with unread bodies.
 */
function bodyStream(node: Readable): ReadableStream<Uint8Array> {
  let cancelled = false;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      node.on('data', (chunk: Buffer) => {
        if (cancelled) return;
        controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        if ((controller.desiredSize ?? 1) <= 0) node.pause();
      });
      node.once('end', () => {
        if (!cancelled) controller.close();
      });
      node.once('error', (error) => {
        if (!cancelled) controller.error(error);
      });
    },
    pull() {
      node.resume();
    },
    cancel() {
      cancelled = true;
      node.resume();
    },
  });
}
