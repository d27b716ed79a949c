import { InvalidKeyError, InvalidOptionError } from '@oncely/core';
import {
  checkObject,
  describeValue,
  type KeyOptionShape,
  parseKeyOption,
  positiveInteger,
  requireFunction,
} from '@oncely/core/adapter';
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
   * Where the key is read: a request header, in the `key` option's `{ header }` form that
   * every oncely adapter shares.
   * @default { header: 'Idempotency-Key' }
   */
  readonly key?: { readonly header: string };
  /**
   * The longest key accepted, in characters; longer keys get 400.
   * @default 255
   */
  readonly maxKeyLength?: number;
}

/** Defaults of {@link IdempotencyKeyOptions}. */
export const IDEMPOTENCY_KEY_DEFAULTS = {
  key: { header: 'Idempotency-Key' },
  maxKeyLength: 255,
} as const;

const PROVIDER = 'idempotency-key';

/** The shared `key` option, with its header form only: the draft keys by a header. */
const KEY_SHAPE: KeyOptionShape = { namedHost: 'header', functions: false };

/** An HTTP header name (RFC 9110 token). */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

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
  checkObject('options', options);
  requireFunction('caller', options.caller, 'a function (request) => caller identity');
  if ('header' in options) {
    // The spelling before 1.0, refused with its new name.
    throw new InvalidOptionError(
      'header',
      `is now key: { header } (renamed before 1.0): write key: { header: ${describeValue((options as { header?: unknown }).header)} }`,
    );
  }
  const keyOption = parseKeyOption(options.key ?? IDEMPOTENCY_KEY_DEFAULTS.key, KEY_SHAPE);
  const header = keyOption.form === 'named' ? keyOption.name : '';
  if (!HEADER_NAME.test(header)) {
    throw new InvalidOptionError(
      'key',
      `expected { header: an HTTP header name }, got ${describeValue(options.key)}`,
    );
  }
  const maxKeyLength = positiveInteger(
    'maxKeyLength',
    options.maxKeyLength,
    IDEMPOTENCY_KEY_DEFAULTS.maxKeyLength,
  );
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
