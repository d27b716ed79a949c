import { checkObject, oneOf } from '@oncely/core/adapter';
import { MissingKeyError, WebhookVerificationError } from '../errors.js';
import { constantTimeEqual, hmacSha256Hex, secretList, sha256Base64Url } from './crypto.js';
import type { WebhookProvider } from './provider.js';

/** Options of {@link githubWebhooks}. */
export interface GithubWebhooksOptions {
  /** The webhook's secret. Pass several during a rotation: any of them is accepted. */
  readonly secret: string | readonly string[];
  /**
   * What one key stands for. `X-GitHub-Delivery` names the event: every hook (and
   * every GitHub App) subscribed to it gets the same GUID, each with its own payload.
   *
   * - `'hook'`: key = `X-GitHub-Hook-ID:X-GitHub-Delivery`, so each hook's delivery is
   *   processed once, even when several hooks post to this endpoint.
   * - `'event'`: key = `X-GitHub-Delivery`, so an event is processed once however many
   *   hooks deliver it here. Only right when those hooks send the same payload; give
   *   each hook its own endpoint and `namespace` otherwise.
   * @default 'hook'
   */
  readonly scope?: 'hook' | 'event';
}

/** Defaults of {@link GithubWebhooksOptions}. */
export const GITHUB_WEBHOOKS_DEFAULTS = { scope: 'hook' } as const;

const PROVIDER = 'github';
const PREFIX = 'sha256=';

/**
 * GitHub webhooks: verifies `X-Hub-Signature-256` (`sha256=` and the hex
 * HMAC-SHA256 of the raw body, compared in constant time) and keys each delivery by
 * `X-GitHub-Delivery`, scoped per hook by default. Redeliveries keep the GUID, so they
 * are duplicates. The fingerprint is the body's SHA-256.
 *
 * GitHub does not sign its headers: someone holding one genuine request can resend
 * its body under another delivery ID. Keep secrets secret and the endpoint on HTTPS.
 *
 * @example
 * const handler = createWebhookHandler({
 *   provider: githubWebhooks({ secret: process.env.GITHUB_WEBHOOK_SECRET! }),
 *   store, namespace: 'github',
 *   handler: async (delivery) => { await onPush(delivery.json()); },
 * });
 */
export function githubWebhooks(options: GithubWebhooksOptions): WebhookProvider {
  checkObject('options', options);
  const secrets = secretList('secret', options.secret);
  const scope = oneOf(
    'scope',
    options.scope,
    ['hook', 'event'] as const,
    GITHUB_WEBHOOKS_DEFAULTS.scope,
  );
  return {
    name: PROVIDER,
    identify({ request, body }) {
      const header = request.headers.get('x-hub-signature-256');
      if (!header?.startsWith(PREFIX)) {
        throw rejected('the X-Hub-Signature-256 header is missing or not sha256=');
      }
      const signature = header.slice(PREFIX.length);
      if (!secrets.some((secret) => constantTimeEqual(signature, hmacSha256Hex(secret, body)))) {
        throw rejected('the signature does not match the payload');
      }
      const delivery = required(request, 'X-GitHub-Delivery');
      const key =
        scope === 'hook' ? `${required(request, 'X-GitHub-Hook-ID')}:${delivery}` : delivery;
      return { key, fingerprint: sha256Base64Url(body) };
    },
  };
}

/**
 * Builds an `X-Hub-Signature-256` header for `body`, as GitHub signs it: for tests
 * and local tools.
 *
 * @example
 * const header = githubSignatureHeader('secret', body); // 'sha256=...'
 */
export function githubSignatureHeader(secret: string, body: string | Uint8Array): string {
  return `${PREFIX}${hmacSha256Hex(secret, body)}`;
}

function required(request: Request, name: string): string {
  const value = request.headers.get(name)?.trim();
  if (!value)
    throw new MissingKeyError(`The GitHub delivery has no ${name} header`, name, {
      provider: PROVIDER,
    });
  return value;
}

function rejected(reason: string): WebhookVerificationError {
  return new WebhookVerificationError(`GitHub signature rejected: ${reason}`, PROVIDER);
}
