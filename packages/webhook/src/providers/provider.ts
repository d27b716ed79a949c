/**
 * What a provider sees of a request: the request itself and its raw body, read once
 * and capped at `maxBodyBytes`. Signatures are checked over these exact bytes.
 */
export interface IncomingRequest {
  readonly request: Request;
  readonly body: Uint8Array;
  /** Epoch milliseconds from the handler's clock: timestamp tolerances use it. */
  readonly now: number;
}

/** Who a verified request is, for the deduper. */
export interface RequestIdentity {
  /** The dedup key: an event ID, a delivery ID, or a caller-scoped idempotency key. */
  readonly key: string;
  /**
   * What must match when the same key arrives again; it is hashed canonically.
   * A duplicate whose fingerprint differs is answered with 422.
   */
  readonly fingerprint?: unknown;
  /** The parsed payload, when the provider had to parse it (Stripe): handed to the handler. */
  readonly payload?: unknown;
}

/**
 * Verifies a request and names its key. A provider must throw
 * `WebhookVerificationError` (401) before anything else when the request is not
 * authentic, and `MissingKeyError` or `InvalidInputError` (400) when it is authentic
 * but carries no usable key. It never touches the store.
 *
 * @example
 * // A custom provider: a shared token header and an `X-Event-Id` key.
 * const custom: WebhookProvider = {
 *   name: 'acme',
 *   identify({ request, body }) {
 *     if (request.headers.get('x-acme-token') !== process.env.ACME_TOKEN)
 *       throw new WebhookVerificationError('bad token', 'acme');
 *     const key = request.headers.get('x-event-id');
 *     if (!key) throw new MissingKeyError('no X-Event-Id header', 'X-Event-Id');
 *     return { key, fingerprint: sha256(body) };
 *   },
 * };
 */
export interface WebhookProvider {
  /** A short name for errors and logs, e.g. `stripe`. */
  readonly name: string;
  identify(incoming: IncomingRequest): RequestIdentity | Promise<RequestIdentity>;
}
