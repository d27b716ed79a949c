import {
  FingerprintMismatchError,
  InProgressError,
  InvalidInputError,
  InvalidKeyError,
  LeaseLostError,
  type OncelyLogger,
  StoreError,
} from '@oncely/core';
import {
  PayloadTooLargeError,
  RetryableResponseError,
  WebhookHandlerError,
  WebhookVerificationError,
} from './errors.js';
import { problemResponse } from './problem.js';

/**
 * Maps each failure to the one status it means to the sender, and logs it once with the
 * typed error. Verification and key errors come before any store call; everything else
 * came out of the deduper. No failure maps to a 2xx, so a sender never stops retrying
 * something not done. Levels (the README's logging table): a request with its key in
 * progress is `info`; what the sender must fix (401, 400, 413, 422) and a handler's own
 * retryable answer are `warn`; a store error, a lost lease and a handler that threw are
 * `error`.
 */
export function errorResponse(error: unknown, logger: OncelyLogger): Response {
  const key = (error as { key?: unknown } | null)?.key;
  const log = (level: 'info' | 'warn' | 'error', message: string, cause: unknown = error) =>
    logger[level](`oncely: webhook ${message}`, { key, error: cause });
  if (error instanceof RetryableResponseError) {
    log('warn', `handler answered ${error.response.status}; the key was released for a retry`);
    return error.response;
  }
  if (error instanceof WebhookVerificationError) {
    log('warn', 'request not authenticated (401)');
    return problemResponse(401, 'Request not authenticated', error.message);
  }
  if (error instanceof PayloadTooLargeError) {
    log('warn', 'request body too large (413)');
    return problemResponse(413, 'Request body too large', error.message);
  }
  if (error instanceof InvalidInputError || error instanceof InvalidKeyError) {
    log('warn', 'request without a usable key (400)');
    return problemResponse(400, 'Key missing or request malformed', error.message);
  }
  if (error instanceof InProgressError) {
    log('info', 'request with a key in progress (409)');
    // Retry-After is whole seconds (RFC 9110); round up so the retry finds the lease over.
    const seconds = Math.max(1, Math.ceil(error.retryAfterMs / 1000));
    return problemResponse(
      409,
      'A request with this key is being processed',
      `Retry after ${seconds} s; the first request's response will then be replayed.`,
      { 'retry-after': String(seconds) },
    );
  }
  if (error instanceof FingerprintMismatchError) {
    log('warn', 'key reused with a different payload (422)');
    return problemResponse(
      422,
      'Key reused with a different payload',
      'This key was already used with a different payload; use a new key for a new request.',
    );
  }
  if (error instanceof StoreError) {
    log('error', 'request failed: the store is unavailable (503)');
    return problemResponse(503, 'Deduplication store unavailable', 'Retry later.');
  }
  if (error instanceof WebhookHandlerError) {
    log('error', 'handler failed; the key was released for a retry', error.cause);
    return problemResponse(500, 'Handler failed', 'The request was not processed; retry it.');
  }
  if (error instanceof LeaseLostError) {
    log('error', 'request failed: the lease was lost, the effect may have run twice (500)');
    return problemResponse(500, 'Lease lost', 'Another delivery took over this key; retry it.');
  }
  log('error', 'request failed');
  return problemResponse(500, 'Internal error', 'The request was not processed; retry it.');
}
