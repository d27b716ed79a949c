import { PayloadTooLargeError, RawBodyUnavailableError } from './errors.js';

/**
 * Reads a request's raw body, at most `maxBytes` of it. A declared `Content-Length`
 * over the limit fails before anything is read; a chunked body fails as soon as the
 * running total passes it, and the rest is cancelled rather than buffered.
 */
export async function readBody(
  request: Request,
  maxBytes: number,
): Promise<Uint8Array<ArrayBuffer>> {
  const declared = Number(request.headers.get('content-length') ?? Number.NaN);
  if (declared > maxBytes) throw tooLarge(declared, maxBytes);
  if (request.bodyUsed) {
    throw new RawBodyUnavailableError(
      'The request body was already read (a body parser ran first), so its signature cannot be checked: mount the webhook route before any body parser',
    );
  }
  if (request.body === null) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      throw tooLarge(size, maxBytes);
    }
    chunks.push(value);
  }
  return concat(chunks, size);
}

function concat(chunks: readonly Uint8Array[], size: number): Uint8Array<ArrayBuffer> {
  const body = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}

function tooLarge(size: number, maxBytes: number): PayloadTooLargeError {
  return new PayloadTooLargeError(
    `The request body is over the limit of ${maxBytes} bytes (maxBodyBytes)`,
    size,
    maxBytes,
  );
}
