import {
  DEDUPER_DEFAULTS,
  type DeduperOptions,
  InvalidOptionError,
  type RunContext,
} from '@oncely/core';
import { checkObject, describeValue, positiveInteger, requireFunction } from '@oncely/core/adapter';
import type { WebhookDelivery } from './delivery.js';
import type { WebhookProvider } from './providers/provider.js';

/** What a handler returns: a `Response`, or nothing for 204 No Content. */
// biome-ignore lint/suspicious/noConfusingVoidType: a handler that only acknowledges returns nothing, sync or async
export type WebhookHandlerResult = Response | undefined | void;

/**
 * The request handler: runs once per key. Throwing, or returning a status
 * `isRetryableStatus` accepts, releases the key so the sender's retry runs it again;
 * any other response is stored and replayed.
 */
export type WebhookHandlerFunction = (
  delivery: WebhookDelivery,
  context: RunContext,
) => WebhookHandlerResult | Promise<WebhookHandlerResult>;

/** The deduper options a webhook handler passes through to `createDeduper`. */
export type WebhookDeduperOptions = Omit<
  DeduperOptions,
  'storeResult' | 'serializer' | 'fingerprint' | 'transactional'
>;

/**
 * Options of {@link createWebhookHandler}: the provider, the handler, the request
 * limits, and the deduper options (`store`, `namespace`, `ttl`, `lease`,
 * `maxResultBytes`, `localCache`, `autoExtend`, `clock`, `onEvent`, `logger`).
 */
export interface WebhookHandlerOptions extends WebhookDeduperOptions {
  /** Verifies requests and names their keys: `stripeWebhooks`, `githubWebhooks`, `standardWebhooks`, `idempotencyKey`, or your own. */
  readonly provider: WebhookProvider;
  /** Runs once per key. */
  readonly handler: WebhookHandlerFunction;
  /**
   * How long a completed key is remembered. Webhook senders retry for days (Stripe
   * for three), so the window is longer than the deduper's default.
   * @default '7d'
   */
  readonly ttl?: DeduperOptions['ttl'];
  /**
   * The largest request body read, in bytes; larger requests get 413 before the
   * signature is checked.
   * @default 1048576 (1 MiB)
   */
  readonly maxBodyBytes?: number;
  /**
   * The response headers kept for replay (case-insensitive). Others, such as
   * `Set-Cookie` or `Date`, are sent to the first caller only.
   * @default WEBHOOK_DEFAULTS.replayHeaders
   */
  readonly replayHeaders?: readonly string[];
  /**
   * Which handler statuses are failures to retry rather than answers to keep: those
   * release the key (the sender's retry runs the handler again) and are not stored.
   * Other statuses, 4xx included, are stored and replayed: the handler decided, and
   * a retry would get the same decision.
   * @default status >= 500, 408, 425 and 429
   */
  readonly isRetryableStatus?: (status: number) => boolean;
}

/** Defaults of {@link WebhookHandlerOptions}, in one place. */
export const WEBHOOK_DEFAULTS = {
  ttl: '7d',
  maxBodyBytes: 1024 * 1024,
  replayHeaders: [
    'content-type',
    'content-encoding',
    'content-language',
    'content-disposition',
    'location',
    'etag',
    'last-modified',
    'link',
  ],
  isRetryableStatus: (status: number): boolean =>
    status >= 500 || status === 408 || status === 425 || status === 429,
  maxResultBytes: DEDUPER_DEFAULTS.maxResultBytes,
} as const;

/** The webhook-specific options after validation. */
export interface ResolvedWebhookOptions {
  readonly provider: WebhookProvider;
  readonly handler: WebhookHandlerFunction;
  readonly maxBodyBytes: number;
  readonly replayHeaders: ReadonlySet<string>;
  readonly isRetryableStatus: (status: number) => boolean;
  readonly maxResultBytes: number;
}

/** Validates the webhook-specific options; `createDeduper` validates the rest. */
export function resolveWebhookOptions(options: WebhookHandlerOptions): ResolvedWebhookOptions {
  checkObject('options', options);
  const { provider, handler } = options;
  if (!provider || typeof provider.identify !== 'function' || typeof provider.name !== 'string') {
    throw new InvalidOptionError(
      'provider',
      `expected a WebhookProvider ({ name, identify }), got ${describeValue(provider)}`,
    );
  }
  requireFunction('handler', handler, 'a function (delivery, context) => Response');
  const maxBodyBytes = positiveInteger(
    'maxBodyBytes',
    options.maxBodyBytes,
    WEBHOOK_DEFAULTS.maxBodyBytes,
  );
  const replayHeaders = options.replayHeaders ?? WEBHOOK_DEFAULTS.replayHeaders;
  if (!Array.isArray(replayHeaders) || !replayHeaders.every((h) => typeof h === 'string')) {
    throw new InvalidOptionError(
      'replayHeaders',
      `expected an array of header names, got ${describeValue(replayHeaders)}`,
    );
  }
  const isRetryableStatus = options.isRetryableStatus ?? WEBHOOK_DEFAULTS.isRetryableStatus;
  requireFunction('isRetryableStatus', isRetryableStatus, 'a function (status) => boolean');
  return {
    provider,
    handler,
    maxBodyBytes,
    replayHeaders: new Set(replayHeaders.map((name) => name.toLowerCase())),
    isRetryableStatus,
    maxResultBytes: options.maxResultBytes ?? WEBHOOK_DEFAULTS.maxResultBytes,
  };
}
