import { InvalidKeyError, InvalidOptionError } from '@oncely/core';
import { MissingKeyError, WebhookVerificationError } from '../errors.js';
import { sha256Base64Url } from './crypto.js';
import type { WebhookProvider } from './provider.js';

/** Options of {@link idempotencyKey}. */
export interface IdempotencyKeyOptions {
  /**
   * Who is calling: an account, API key or tenant ID from your authentication. Keys
   * are scoped by it, so two clients that pick the same key never see each other's
   * responses. Return `undefined` (or throw `WebhookVerificationError`) for an
   * unauthenticated request: it is answered with 401 before the store is touched.
   * Single-tenant APIs may return a constant.
   */
  readonly caller: (request: Request) => string | undefined | Promise<string | undefined>;
  /**
   * The request header that carries the key.
   * @default 'Idempotency-Key'
   */
  readonly header?: string;
  /**
   * The longest key accepted, in characters; longer keys get 400.
   * @default 255
   */
  readonly maxKeyLength?: number;
}

/** Defaults of {@link IdempotencyKeyOptions}. */
export const IDEMPOTENCY_KEY_DEFAULTS = { header: 'Idempotency-Key', maxKeyLength: 255 } as const;

const PROVIDER = 'idempotency-key';

/**
 * The `Idempotency-Key` request header for `POST`/`PATCH` APIs, after the IETF draft
 * (draft-ietf-httpapi-idempotency-key-header): 400 when the key is missing, 409 while
 * a request with the key is outstanding, 422 when the key is reused with a different
 * payload, and the first response replayed to retries. The key may be a quoted
 * structured-field string (`"8e03978e-..."`) or a bare token. The fingerprint is the
 * method, the path with its query, and the body's SHA-256.
 *
 * @example
 * const handler = createWebhookHandler({
 *   provider: idempotencyKey({ caller: (request) => accountOf(request.headers.get('authorization')) }),
 *   store, namespace: 'orders-api',
 *   handler: async (delivery) => Response.json(await createOrder(delivery.json()), { status: 201 }),
 * });
 */
export function idempotencyKey(options: IdempotencyKeyOptions): WebhookProvider {
  if (typeof options?.caller !== 'function') {
    throw new InvalidOptionError('caller', 'expected a function (request) => caller identity');
  }
  const header = options.header ?? IDEMPOTENCY_KEY_DEFAULTS.header;
  if (typeof header !== 'string' || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(header)) {
    throw new InvalidOptionError('header', `expected an HTTP header name, got ${String(header)}`);
  }
  const maxKeyLength = options.maxKeyLength ?? IDEMPOTENCY_KEY_DEFAULTS.maxKeyLength;
  if (!(Number.isInteger(maxKeyLength) && maxKeyLength > 0)) {
    throw new InvalidOptionError(
      'maxKeyLength',
      `expected a positive integer, got ${maxKeyLength}`,
    );
  }
  return {
    name: PROVIDER,
    async identify({ request, body }) {
      const caller = await options.caller(request);
      if (typeof caller !== 'string' || caller.length === 0) {
        throw new WebhookVerificationError('The caller could not be identified', PROVIDER);
      }
      const raw = request.headers.get(header);
      if (raw === null || raw.trim() === '') {
        throw new MissingKeyError(`The request has no ${header} header`, header, {
          provider: PROVIDER,
        });
      }
      const key = parseKey(raw.trim(), header, maxKeyLength);
      const url = new URL(request.url);
      return {
        // encodeURIComponent never emits ':', so the first ':' always ends the caller.
        key: `${encodeURIComponent(caller)}:${key}`,
        fingerprint: {
          method: request.method,
          path: url.pathname + url.search,
          body: sha256Base64Url(body),
        },
      };
    },
  };
}

/**
 * Reads the key: an RFC 8941 sf-string (quoted, `\"` and `\\` escapes, printable
 * ASCII) or, as most clients send it, a bare run of visible ASCII. Two header fields
 * folded into one (`"a", "b"`) fail both forms, as the draft allows only one.
 */
function parseKey(value: string, header: string, maxKeyLength: number): string {
  let key: string | undefined;
  if (value.startsWith('"')) {
    const match = /^"((?:[\x20\x21\x23-\x5b\x5d-\x7e]|\\["\\])*)"$/.exec(value);
    key = match?.[1]?.replace(/\\(["\\])/g, '$1');
  } else if (/^[\x21-\x7e]+$/.test(value)) {
    key = value;
  }
  if (key === undefined || key.length === 0) {
    throw new InvalidKeyError(`The ${header} header is not a string of printable ASCII`, {
      key: value,
    });
  }
  if (key.length > maxKeyLength) {
    throw new InvalidKeyError(`The ${header} is over ${maxKeyLength} characters`, { key });
  }
  return key;
}
