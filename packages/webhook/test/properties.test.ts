import { MemoryStore } from '@oncely/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createWebhookHandler, stripeSignatureHeader, stripeWebhooks } from '../src/index.js';

const secret = 'whsec_properties';
const now = () => Math.floor(Date.now() / 1000);

/** Bodies a sender might really post: valid events, other JSON, bytes that are not UTF-8, nothing, too much. */
const bodies = fc.oneof(
  fc
    .record({ id: fc.string(), type: fc.string() })
    .map((event) => Buffer.from(JSON.stringify(event))),
  fc.jsonValue().map((value) => Buffer.from(JSON.stringify(value))),
  fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes)),
  fc.constant(Buffer.alloc(0)),
  fc.constant(Buffer.alloc(3000, 'x')),
);

function receiver(store: MemoryStore, runs: string[]) {
  return createWebhookHandler({
    provider: stripeWebhooks({ secret }),
    store,
    namespace: 'stripe',
    maxBodyBytes: 2048,
    handler: async ({ key }) => {
      runs.push(key);
      return Response.json({ ok: true });
    },
  });
}

function post(body: Buffer, signature: string | undefined): Request {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (signature !== undefined) headers['stripe-signature'] = signature;
  return new Request('http://127.0.0.1/webhooks', {
    method: 'POST',
    body: new Uint8Array(body),
    headers,
  });
}

describe('webhook parsing under arbitrary bodies', () => {
  it('a signed body is processed only with a usable event id; anything else is a 4xx that claims nothing', async () => {
    const seen = { processed: 0, refused: 0 };
    await fc.assert(
      fc.asyncProperty(bodies, async (body) => {
        const store = new MemoryStore();
        const runs: string[] = [];
        const response = await receiver(store, runs).fetch(
          post(body, stripeSignatureHeader(secret, now(), body)),
        );
        expect(response.status).toBeLessThan(500);
        seen[response.status === 200 ? 'processed' : 'refused']++;
        if (response.status === 200) {
          expect(runs).toHaveLength(1);
          expect(store.size).toBe(1);
        } else {
          expect(response.status).toBeGreaterThanOrEqual(400);
          expect(runs).toHaveLength(0);
          expect(store.size).toBe(0);
        }
        if (body.length > 2048) expect(response.status).toBe(413);
      }),
      { numRuns: 150 },
    );
    // Both branches were exercised, so the property said something about each.
    expect(seen.processed).toBeGreaterThan(0);
    expect(seen.refused).toBeGreaterThan(0);
  });

  it('an unsigned or wrongly signed body of any shape gets 401 and never touches the store', async () => {
    await fc.assert(
      fc.asyncProperty(
        bodies,
        fc.option(fc.string(), { nil: undefined }),
        async (body, signature) => {
          const store = new MemoryStore();
          const runs: string[] = [];
          const response = await receiver(store, runs).fetch(post(body, signature));
          expect([401, 413]).toContain(response.status);
          expect(runs).toHaveLength(0);
          expect(store.size).toBe(0);
        },
      ),
      { numRuns: 150 },
    );
  });
});
