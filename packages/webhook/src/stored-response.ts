/**
 * The form a handler's response is kept in for replay: JSON-safe, with the body in
 * base64 so binary bodies survive byte for byte.
 */
export interface StoredResponse {
  /** Format version, so a later format can still read records written now. */
  readonly v: 1;
  readonly status: number;
  /** The allow-listed headers, lower-case names, in the handler's order. */
  readonly headers: readonly (readonly [string, string])[];
  /** The body, base64; absent when empty or omitted. */
  readonly body?: string;
  /** The body was over the size cap: replays send status and headers only. */
  readonly bodyOmitted?: true;
}

/** A handler's response with its body read: what the first caller is sent. */
export interface CapturedResponse {
  readonly status: number;
  readonly statusText: string;
  readonly headers: Headers;
  readonly body: Uint8Array<ArrayBuffer>;
}

/** The response header that marks a replay. */
export const REPLAYED_HEADER = 'Idempotent-Replayed';

/** Reads a handler's response once, so it can be both sent and stored. */
export async function captureResponse(response: Response): Promise<CapturedResponse> {
  return {
    status: response.status,
    statusText: response.statusText,
    headers: new Headers(response.headers),
    body: new Uint8Array(await response.arrayBuffer()),
  };
}

/** Rebuilds the response the first caller gets. */
export function liveResponse(captured: CapturedResponse): Response {
  return new Response(bodyFor(captured.status, captured.body), {
    status: captured.status,
    statusText: captured.statusText,
    headers: captured.headers,
  });
}

/**
 * Keeps the status, the allow-listed headers and the body. When the serialized record
 * would pass `maxBytes`, the body is left out (and `bodyOmitted` set) so the status
 * and headers still replay rather than nothing at all.
 */
export function toStoredResponse(
  captured: CapturedResponse,
  allowedHeaders: ReadonlySet<string>,
  maxBytes: number,
): StoredResponse {
  const headers: [string, string][] = [];
  captured.headers.forEach((value, name) => {
    if (allowedHeaders.has(name)) headers.push([name, value]);
  });
  const stored: StoredResponse = {
    v: 1,
    status: captured.status,
    headers,
    ...(captured.body.byteLength > 0
      ? { body: Buffer.from(captured.body).toString('base64') }
      : {}),
  };
  if (Buffer.byteLength(JSON.stringify(stored), 'utf8') <= maxBytes) return stored;
  return { v: 1, status: captured.status, headers, bodyOmitted: true };
}

/** Rebuilds a stored response for a duplicate, marked with `Idempotent-Replayed: true`. */
export function replayResponse(stored: StoredResponse | undefined): Response {
  // A record completed without its response (a store written by older code, or
  // headers alone over the cap) still means "done": acknowledge it.
  const status = stored?.status ?? 200;
  const headers = new Headers(stored?.headers as [string, string][] | undefined);
  headers.set(REPLAYED_HEADER, 'true');
  const body = new Uint8Array(stored?.body === undefined ? [] : Buffer.from(stored.body, 'base64'));
  return new Response(bodyFor(status, body), { status, headers });
}

function bodyFor(status: number, body: Uint8Array<ArrayBuffer>): Uint8Array<ArrayBuffer> | null {
  // Fetch forbids a body on null-body statuses, even an empty one.
  return body.byteLength === 0 || status === 204 || status === 205 || status === 304 ? null : body;
}
