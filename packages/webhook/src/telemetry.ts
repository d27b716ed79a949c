import type { TelemetryMessage, TelemetryOutcome } from '@oncely/core';
import { REPLAYED_HEADER } from './stored-response.js';

/** What a request's handling learned, for its telemetry. Internal. */
export interface Seen {
  key?: string;
  error?: unknown;
}

/**
 * A webhook request as telemetry sees it: the HTTP conventions' method, path and scheme,
 * its provider, and its headers as the carrier of the sender's `traceparent`. Internal.
 */
export function requestTelemetry(request: Request, provider: string): TelemetryMessage {
  const attributes: Record<string, string> = { 'http.request.method': request.method };
  const url = parseUrl(request.url);
  if (url) {
    attributes['url.path'] = url.pathname;
    attributes['url.scheme'] = url.protocol.replace(/:$/, '');
  }
  return {
    system: 'http',
    destination: provider,
    messageId: undefined,
    attributes,
    carrier: {
      keys: () => {
        const names: string[] = [];
        request.headers.forEach((_, name) => {
          names.push(name);
        });
        return names;
      },
      get: (name) => request.headers.get(name) ?? undefined,
    },
  };
}

/**
 * How a request ended: a failure when it ended in an error (its answer is not a 2xx),
 * a duplicate when the stored response was replayed, else processed. Internal.
 */
export function requestOutcome(
  response: Response,
  seen: Seen,
  namespace: string,
): TelemetryOutcome {
  const attributes = { 'http.response.status_code': response.status };
  const { key } = seen;
  if (seen.error !== undefined) {
    return { status: 'failed', namespace, key, error: seen.error, attributes };
  }
  const replayed = response.headers.get(REPLAYED_HEADER) === 'true';
  return { status: replayed ? 'duplicate' : 'processed', namespace, key, attributes };
}

function parseUrl(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}
