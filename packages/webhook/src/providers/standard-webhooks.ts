import { InvalidOptionError } from '@oncely/core';
import { checkObject } from '@oncely/core/adapter';
import { WebhookVerificationError as StandardVerificationError, Webhook } from 'standardwebhooks';
import { WebhookVerificationError } from '../errors.js';
import { secretList, sha256Base64Url } from './crypto.js';
import type { WebhookProvider } from './provider.js';

/** Options of {@link standardWebhooks}. */
export interface StandardWebhooksOptions {
  /**
   * The signing secret, base64 with an optional `whsec_` prefix. Pass several during
   * a rotation: a signature made with any of them is accepted.
   */
  readonly secret: string | readonly string[];
}

const PROVIDER = 'standard-webhooks';
/**
 * The three signed headers, each under the Svix brand first and then the unbranded
 * Standard Webhooks name. Svix and the services built on it (Clerk, Resend and others)
 * send `svix-*` by default; other senders send `webhook-*`. The order and the
 * per-header fallback are the `svix` library's own `verify`, so this receiver accepts
 * exactly the deliveries that Svix's verifier accepts.
 */
const HEADERS = [
  ['webhook-id', 'svix-id'],
  ['webhook-timestamp', 'svix-timestamp'],
  ['webhook-signature', 'svix-signature'],
] as const;

/**
 * The signed headers under the names `standardwebhooks` reads. The key must be the
 * `webhook-id` of this map, the ID the signature was checked against: were it read
 * from the request again, a `webhook-id` sent next to a signed `svix-id` would pick
 * the record without being signed.
 */
function signedHeaders(request: Request): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, branded] of HEADERS) {
    headers[name] = request.headers.get(branded) ?? request.headers.get(name) ?? '';
  }
  return headers;
}

/**
 * [Standard Webhooks](https://www.standardwebhooks.com/) (Svix, Resend, Clerk and
 * others): verifies the signature with the `standardwebhooks` package (HMAC-SHA256
 * over `id.timestamp.body`, a 5 minute timestamp tolerance against the system clock,
 * fixed by the package) and keys each delivery by its message ID, which the signature
 * covers. The headers are read as the `svix` library reads them: `svix-id`,
 * `svix-timestamp` and `svix-signature` (Svix-branded senders), each falling back to
 * `webhook-id`, `webhook-timestamp` and `webhook-signature`. The fingerprint is the
 * body's SHA-256.
 *
 * @example
 * const handler = createWebhookHandler({
 *   provider: standardWebhooks({ secret: process.env.WEBHOOK_SECRET! }),
 *   store, namespace: 'standard-webhooks',
 *   handler: async (delivery) => { await onEvent(delivery.json()); },
 * });
 */
export function standardWebhooks(options: StandardWebhooksOptions): WebhookProvider {
  checkObject('options', options);
  const verifiers = secretList('secret', options.secret).map((secret) => {
    try {
      return new Webhook(secret);
    } catch (cause) {
      throw new InvalidOptionError('secret', `not a base64 signing secret (${String(cause)})`);
    }
  });
  return {
    name: PROVIDER,
    identify({ request, body }) {
      const headers = signedHeaders(request);
      const payload = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
      let failure: unknown;
      for (const verifier of verifiers) {
        try {
          verifier.verify(payload, headers, { jsonParse: false });
          return { key: headers['webhook-id'] as string, fingerprint: sha256Base64Url(body) };
        } catch (error) {
          if (!(error instanceof StandardVerificationError)) throw error;
          failure = error;
        }
      }
      throw new WebhookVerificationError(
        `Standard Webhooks signature rejected: ${(failure as Error).message}`,
        PROVIDER,
        { cause: failure },
      );
    },
  };
}
