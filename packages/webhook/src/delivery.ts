import type { RequestIdentity } from './providers/provider.js';

/** A verified request, as the handler receives it. */
export interface WebhookDelivery {
  /** The dedup key: the event or delivery ID, or the caller-scoped idempotency key. */
  readonly key: string;
  /** The provider that verified the request, e.g. `stripe`. */
  readonly provider: string;
  /** The original request. Its body has been read: use `body`, `text()` or `json()`. */
  readonly request: Request;
  /** The raw body, exactly as signed. */
  readonly body: Uint8Array<ArrayBuffer>;
  /** The payload the provider parsed while verifying (the Stripe event), else `undefined`. */
  readonly payload: unknown;
  /** The body as UTF-8 text. */
  text(): string;
  /** The body parsed as JSON (parsed once; throws on malformed JSON). */
  json<T = unknown>(): T;
}

const decoder = new TextDecoder();

/** Builds the handler's view of a verified request. */
export function createDelivery(
  provider: string,
  request: Request,
  body: Uint8Array<ArrayBuffer>,
  identity: RequestIdentity,
): WebhookDelivery {
  let parsed: { value: unknown } | undefined =
    identity.payload === undefined ? undefined : { value: identity.payload };
  return {
    key: identity.key,
    provider,
    request,
    body,
    payload: identity.payload,
    text: () => decoder.decode(body),
    json<T>() {
      parsed ??= { value: JSON.parse(decoder.decode(body)) };
      return parsed.value as T;
    },
  };
}
