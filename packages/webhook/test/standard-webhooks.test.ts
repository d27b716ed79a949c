import { InvalidOptionError } from '@oncely/core';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { standardWebhooks, WebhookVerificationError } from '../src/index.js';
import { incoming, rejection } from './support.js';

const secret = `whsec_${Buffer.from('unit-test-signing-key').toString('base64')}`;
const body = '{"type":"invoice.paid","data":{"id":"inv_1"}}';

function signed(id: string, at: Date, key = secret, payload = body) {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(key).sign(id, at, payload),
  };
}

describe('standardWebhooks', () => {
  const provider = standardWebhooks({ secret });

  it('verifies with the standardwebhooks package and keys by webhook-id', async () => {
    const identity = await provider.identify(incoming(body, signed('msg_1', new Date())));
    expect(identity.key).toBe('msg_1');
    expect(identity.fingerprint).toMatch(/^[\w-]{43}$/);
  });

  it('accepts a body that is not JSON: parsing is the handler’s business', async () => {
    const text = 'plain text';
    const identity = await provider.identify(
      incoming(text, signed('msg_2', new Date(), secret, text)),
    );
    expect(identity.key).toBe('msg_2');
  });

  it('accepts each secret of a rotation', async () => {
    const other = `whsec_${Buffer.from('previous-key').toString('base64')}`;
    const rotating = standardWebhooks({ secret: [other, secret] });
    for (const key of [other, secret]) {
      expect((await rotating.identify(incoming(body, signed('msg_3', new Date(), key)))).key).toBe(
        'msg_3',
      );
    }
  });

  it.each([
    [
      'a wrong secret',
      () => signed('msg_4', new Date(), `whsec_${Buffer.from('x').toString('base64')}`),
    ],
    [
      'a signature for another id',
      () => ({ ...signed('msg_5', new Date()), 'webhook-id': 'msg_6' }),
    ],
    ['a missing webhook-id', () => ({ ...signed('msg_7', new Date()), 'webhook-id': '' })],
    ['a timestamp 10 minutes old', () => signed('msg_8', new Date(Date.now() - 600_000))],
    ['a timestamp 10 minutes ahead', () => signed('msg_9', new Date(Date.now() + 600_000))],
  ])('rejects %s with 401', async (_case, headers) => {
    const error = await rejection(() => provider.identify(incoming(body, headers())));
    expect(error).toBeInstanceOf(WebhookVerificationError);
    expect((error as WebhookVerificationError).provider).toBe('standard-webhooks');
  });

  it('rejects a secret that is not base64 at construction', () => {
    expect(() => standardWebhooks({ secret: 'whsec_%%%' })).toThrow(InvalidOptionError);
  });
});
