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
 * Maps each failure to the one status it means to the sender. Verification and key
 * errors come before any store call; everything else came out of the deduper. No
 * failure maps to a 2xx, so a sender never stops retrying something not done.
 */
export function errorResponse(error: unknown, logger: OncelyLogger): Response {
  if (error instanceof RetryableResponseError) return error.response;
  if (error instanceof WebhookVerificationError) {
    return problemResponse(401, 'Request not authenticated', error.message);
  }
  if (error instanceof PayloadTooLargeError) {
    return problemResponse(413, 'Request body too large', error.message);
  }
  if (error instanceof InvalidInputError || error instanceof InvalidKeyError) {
    return problemResponse(400, 'Key missing or request malformed', error.message);
  }
  if (error instanceof InProgressError) {
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
    return problemResponse(
      422,
      'Key reused with a different payload',
      'This key was already used with a different payload; use a new key for a new request.',
    );
  }
  if (error instanceof StoreError) {
    return problemResponse(503, 'Deduplication store unavailable', 'Retry later.');
  }
  if (error instanceof WebhookHandlerError) {
    logger.error('oncely: webhook handler failed; the key was released for a retry', {
      key: error.key,
      error: error.cause,
    });
    return problemResponse(500, 'Handler failed', 'The request was not processed; retry it.');
  }
  if (error instanceof LeaseLostError) {
    return problemResponse(500, 'Lease lost', 'Another delivery took over this key; retry it.');
  }
  logger.error('oncely: webhook request failed', { error });
  return problemResponse(500, 'Internal error', 'The request was not processed; retry it.');
}
