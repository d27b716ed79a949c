import { createDeduper, type Deduper, ResultTooLargeError, type RunContext } from '@oncely/core';
import { readBody } from './body.js';
import { createDelivery, type WebhookDelivery } from './delivery.js';
import { errorResponse } from './error-response.js';
import { RetryableResponseError, WebhookHandlerError } from './errors.js';
import {
  type ResolvedWebhookOptions,
  resolveWebhookOptions,
  WEBHOOK_DEFAULTS,
  type WebhookHandlerOptions,
} from './options.js';
import type { RequestIdentity, WebhookProvider } from './providers/provider.js';
import {
  type CapturedResponse,
  captureResponse,
  liveResponse,
  replayResponse,
  type StoredResponse,
  toStoredResponse,
} from './stored-response.js';
import { requestOutcome, requestTelemetry, type Seen } from './telemetry.js';

/** Per-request options of {@link WebhookHandler.fetch}. */
export interface WebhookRequestOptions {
  /** This request's lease in ms, e.g. capped by a Lambda's remaining time. @default the configured lease */
  readonly leaseMs?: number;
}

/** A webhook receiver on the Fetch API: `Request` in, `Response` out. */
export interface WebhookHandler {
  /**
   * Handles one request: verify, claim, run or replay. Never throws: every outcome
   * is a `Response` (see the status table in the README). Bound, so it can be passed
   * around as `handler.fetch`.
   */
  readonly fetch: (request: Request, options?: WebhookRequestOptions) => Promise<Response>;
  /** The deduper behind it: `get` and `delete` keys as an operator. */
  readonly deduper: Deduper;
  readonly provider: WebhookProvider;
  /** The body limit, for adapters that read the body themselves. */
  readonly maxBodyBytes: number;
}

/**
 * Makes a webhook receiver: verify the signature first (a forged request gets 401
 * and never touches the store), then claim the key; the first delivery runs the
 * handler and its response is stored; a duplicate gets the stored response again
 * with `Idempotent-Replayed: true`; a duplicate while the first runs gets 409 with
 * `Retry-After`; the same key with another payload gets 422; a handler error
 * releases the key and answers 500 so the sender retries.
 *
 * @example
 * import { MemoryStore } from '@oncely/core';
 * import { createWebhookHandler, stripeWebhooks } from '@oncely/webhook';
 *
 * const receiver = createWebhookHandler({
 *   provider: stripeWebhooks({ secret: process.env.STRIPE_WEBHOOK_SECRET! }),
 *   store: new MemoryStore(),
 *   namespace: 'stripe',
 *   handler: async ({ payload }) => {
 *     await fulfil(payload);
 *     return Response.json({ received: true });
 *   },
 * });
 * export default { fetch: receiver.fetch }; // Bun, Deno, Workers; or use an adapter
 */
export function createWebhookHandler(options: WebhookHandlerOptions): WebhookHandler {
  const resolved = resolveWebhookOptions(options);
  const {
    provider: _provider,
    handler: _handler,
    maxBodyBytes: _maxBodyBytes,
    replayHeaders: _replayHeaders,
    isRetryableStatus: _isRetryableStatus,
    ...deduperOptions
  } = options;
  const deduper = createDeduper({
    ...deduperOptions,
    ttl: options.ttl ?? WEBHOOK_DEFAULTS.ttl,
    maxResultBytes: resolved.maxResultBytes,
    storeResult: true,
    // Providers hand over the fingerprint input; the deduper hashes it canonically.
    fingerprint: (input: unknown) => input ?? null,
  });
  const { clock, logger } = deduper;
  const { provider, maxBodyBytes } = resolved;

  async function handle(request: Request, requestOptions?: WebhookRequestOptions) {
    const scope = deduper.telemetry?.message?.(requestTelemetry(request, provider.name));
    if (scope === undefined) return respond(request, requestOptions, {});
    const seen: Seen = {};
    const response = await scope.with(() => respond(request, requestOptions, seen));
    scope.end(requestOutcome(response, seen, deduper.namespace));
    return response;
  }

  async function respond(
    request: Request,
    requestOptions: WebhookRequestOptions | undefined,
    seen: Seen,
  ): Promise<Response> {
    let body: Uint8Array<ArrayBuffer>;
    let identity: RequestIdentity;
    try {
      body = await readBody(request, maxBodyBytes);
      // Verification comes before any store call: a forged request must not claim a key.
      identity = await provider.identify({ request, body, now: clock.now() });
    } catch (error) {
      seen.error = error;
      return errorResponse(error, logger);
    }
    seen.key = identity.key;
    const delivery = createDelivery(provider.name, request, body, identity);
    let captured: CapturedResponse | undefined;
    try {
      const outcome = await deduper.run(
        identity.key,
        async (context) => {
          captured = await runHandler(resolved, delivery, context);
          const stored = storedOrRetry(resolved, delivery, captured);
          if (stored.bodyOmitted) {
            logger.warn('oncely: webhook response over maxResultBytes; replays get no body', {
              key: delivery.key,
              bodyBytes: captured.body.byteLength,
            });
          }
          return stored;
        },
        {
          input: identity.fingerprint,
          ...(requestOptions?.leaseMs === undefined ? {} : { leaseMs: requestOptions.leaseMs }),
        },
      );
      if (outcome.status === 'processed' && captured) return liveResponse(captured);
      return replayResponse(asStoredResponse(outcome.result));
    } catch (error) {
      if (error instanceof ResultTooLargeError && captured) {
        // The record is completed, only without its response: the first caller still
        // gets the real answer; duplicates are acknowledged without a body.
        logger.warn('oncely: webhook response over maxResultBytes; replays get no body', {
          key: identity.key,
        });
        return liveResponse(captured);
      }
      seen.error = error;
      return errorResponse(error, logger);
    }
  }

  return { fetch: handle, deduper, provider, maxBodyBytes };
}

async function runHandler(
  resolved: ResolvedWebhookOptions,
  delivery: WebhookDelivery,
  context: RunContext,
): Promise<CapturedResponse> {
  // Handler failures are wrapped so they can never be mistaken for oncely's own
  // outcomes (an InProgressError thrown inside a handler must not become a 409).
  try {
    const response =
      (await resolved.handler(delivery, context)) ?? new Response(null, { status: 204 });
    // Duck-typed: @hono/node-server swaps the global Response for its own class.
    if (!isResponse(response)) {
      throw new TypeError(
        `The handler returned ${typeof response}, expected a Response or nothing`,
      );
    }
    return await captureResponse(response);
  } catch (cause) {
    throw new WebhookHandlerError(`The handler for key "${delivery.key}" failed`, {
      key: delivery.key,
      cause,
    });
  }
}

function storedOrRetry(
  resolved: ResolvedWebhookOptions,
  delivery: WebhookDelivery,
  captured: CapturedResponse,
): StoredResponse {
  if (resolved.isRetryableStatus(captured.status)) {
    // Thrown so the deduper releases the key: the sender's retry must run again.
    throw new RetryableResponseError(
      `The handler for key "${delivery.key}" answered ${captured.status}; the key was released for a retry`,
      liveResponse(captured),
      { key: delivery.key },
    );
  }
  return toStoredResponse(captured, resolved.replayHeaders, resolved.maxResultBytes);
}

function asStoredResponse(result: unknown): StoredResponse | undefined {
  const stored = result as StoredResponse | undefined;
  return stored?.v === 1 && Number.isInteger(stored.status) ? stored : undefined;
}

function isResponse(value: unknown): value is Response {
  const candidate = value as Response | null;
  return (
    typeof candidate?.status === 'number' &&
    typeof candidate.arrayBuffer === 'function' &&
    typeof candidate.headers?.forEach === 'function'
  );
}
