import { KeyReadError, OncelyError, type OncelyErrorContext } from '@oncely/core';

/**
 * The request could not be authenticated: a missing or bad signature, a timestamp
 * outside the tolerance, or (Idempotency-Key) no caller identity. Answered with 401
 * before the store is touched, so a forged request can never claim a real event's ID.
 */
export class WebhookVerificationError extends OncelyError {
  override name = 'WebhookVerificationError';
  constructor(
    message: string,
    /** The provider that rejected the request, e.g. `stripe`. */
    readonly provider: string,
    context: OncelyErrorContext = {},
  ) {
    super(message, context);
  }
}

/**
 * The request carries no usable dedup key (no `Idempotency-Key` header, no event
 * `id`, no delivery header). Answered with 400: without a key, two deliveries could
 * never be told apart, so nothing runs.
 *
 * A subclass of core's `KeyReadError` (`source` is the header name or body field,
 * `reason` is `missing`), so one `instanceof KeyReadError` catches the key failures of
 * every adapter. `provider` names the provider that read the request, when it said.
 */
export class MissingKeyError extends KeyReadError {
  override name = 'MissingKeyError';
  /** The provider that looked for the key, e.g. `stripe`; unset for a custom provider that did not say. */
  readonly provider: string | undefined;
  constructor(
    message: string,
    /** Where the key was expected: a header name or a body field. */
    source: string,
    context: OncelyErrorContext & { readonly provider?: string } = {},
  ) {
    const { provider, ...rest } = context;
    super(message, source, 'missing', rest);
    this.provider = provider;
  }
}

/** The body is over `maxBodyBytes`. Answered with 413; the rest of the body is not read. */
export class PayloadTooLargeError extends OncelyError {
  override name = 'PayloadTooLargeError';
  constructor(
    message: string,
    /** The bytes seen (or declared by `Content-Length`) when the limit was passed. */
    readonly sizeBytes: number,
    readonly maxBytes: number,
  ) {
    super(message);
  }
}

/**
 * The raw body is gone: a body parser (`express.json()`, a validator) read it first.
 * Signatures are computed over the exact bytes, so the request cannot be verified.
 * Mount the webhook route before any body parser.
 */
export class RawBodyUnavailableError extends OncelyError {
  override name = 'RawBodyUnavailableError';
}

/**
 * The handler threw. The key was released so the provider's retry runs the
 * handler again; `cause` is the handler's own error. Answered with 500.
 */
export class WebhookHandlerError extends OncelyError {
  override name = 'WebhookHandlerError';
}

/**
 * The handler answered a status that asks for a retry (5xx, 408, 425, 429 by
 * default). It is not stored: the key was released so the retry runs again, and
 * the handler's response is sent as it is.
 */
export class RetryableResponseError extends OncelyError {
  override name = 'RetryableResponseError';
  constructor(
    message: string,
    /** The handler's response, sent to the caller as it is. */
    readonly response: Response,
    context: OncelyErrorContext = {},
  ) {
    super(message, context);
  }
}
