import { InvalidOptionError } from '@oncely/core';
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
const HEADERS = ['webhook-id', 'webhook-timestamp', 'webhook-signature'] as const;

/**
 * [Standard Webhooks](https://www.standardwebhooks.com/) (Svix, Resend, Clerk and
 * others): verifies `webhook-signature` with the `standardwebhooks` package
 * (HMAC-SHA256 over `id.timestamp.body`, a 5 minute timestamp tolerance against the
 * system clock, fixed by the package) and keys each delivery by `webhook-id`, which
 * the signature covers. The fingerprint is the body's SHA-256.
 *
 * @example
 * const handler = createWebhookHandler({
 *   provider: standardWebhooks({ secret: process.env.WEBHOOK_SECRET! }),
 *   store, namespace: 'standard-webhooks',
 *   handler: async (delivery) => { await onEvent(delivery.json()); },
 * });
 */
export function standardWebhooks(options: StandardWebhooksOptions): WebhookProvider {
  const verifiers = secretList('secret', options?.secret).map((secret) => {
    try {
      return new Webhook(secret);
    } catch (cause) {
      throw new InvalidOptionError('secret', `not a base64 signing secret (${String(cause)})`);
    }
  });
  return {
    name: PROVIDER,
    identify({ request, body }) {
      const headers: Record<string, string> = {};
      for (const name of HEADERS) headers[name] = request.headers.get(name) ?? '';
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
