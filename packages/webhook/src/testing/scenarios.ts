import { randomUUID } from 'node:crypto';
import type { DedupStore } from '@oncely/core';
import { spyStore } from '@oncely/core/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createWebhookHandler } from '../handler.js';
import type { WebhookHandlerFunction, WebhookHandlerOptions } from '../options.js';
import { type ProviderKit, type SignedDelivery, stripeKit } from './kits.js';
import type { ServedReceiver, ServeReceiver } from './servers.js';

/** Options of {@link describeWebhookScenarios}. */
export interface WebhookScenarioOptions {
  /** Starts a real server for a receiver (`serveExpress`, `serveHono`, or your own). */
  readonly serve: ServeReceiver;
  /** Makes the store, once for the suite; each test uses its own namespace. */
  readonly store: () => DedupStore | Promise<DedupStore>;
  /** Tears the store down after the suite. */
  readonly teardown?: () => Promise<void> | void;
  /** The provider to sign with. @default stripeKit */
  readonly kit?: ProviderKit;
  /** Concurrent deliveries in the race scenario. @default 6 */
  readonly concurrency?: number;
}

const MAX_BODY_BYTES = 4096;

/** A deterministic body with bytes that are not valid UTF-8, to prove binary replay. */
function binaryBody(key: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array([0xff, 0xfe, 0x00, ...Buffer.from(`done:${key}`), 0xc3, 0x28]);
}

/**
 * The webhook scenarios every adapter must pass, on a real server: one handler run
 * among concurrent deliveries (the rest get 409 with `Retry-After`); a sequential
 * duplicate replayed byte for byte; forged and tampered requests rejected with 401
 * before the store is touched; a handler error (or a 5xx answer) released so the
 * retry runs once more; 413 past the body limit; 400 without a key; 422 for the
 * same key with a different payload.
 *
 * @example
 * describeWebhookScenarios('express + MemoryStore', {
 *   serve: serveExpress,
 *   store: () => new MemoryStore(),
 * });
 */
export function describeWebhookScenarios(name: string, options: WebhookScenarioOptions): void {
  const kit = options.kit ?? stripeKit;
  const concurrency = options.concurrency ?? 6;

  describe(`${name}: webhook scenarios (${kit.name})`, () => {
    let baseStore: DedupStore;
    let served: ServedReceiver | undefined;
    beforeAll(async () => {
      baseStore = await options.store();
    });
    afterEach(async () => {
      await served?.close();
      served = undefined;
    });
    afterAll(async () => {
      await options.teardown?.();
    });

    /** Serves a fresh receiver in a fresh namespace, counting store calls and handler runs. */
    async function start(
      handler: WebhookHandlerFunction = () => undefined,
      overrides: Partial<WebhookHandlerOptions> = {},
    ) {
      // Store calls are counted, so a test can prove a rejected request never reached it.
      const spy = spyStore(baseStore);
      let runs = 0;
      const receiver = createWebhookHandler({
        provider: kit.provider(),
        store: spy.store,
        namespace: `scenarios-${randomUUID()}`,
        maxBodyBytes: MAX_BODY_BYTES,
        handler: (delivery, context) => {
          runs += 1;
          return handler(delivery, context);
        },
        ...overrides,
      });
      served = await options.serve(receiver);
      const url = served.url;
      const post = (delivery: SignedDelivery) =>
        fetch(url, { method: 'POST', headers: delivery.headers, body: delivery.body });
      /** Asserts the request was refused with `status` before the store or the handler. */
      const expectRejected = (response: Response, status: number) => {
        expect(response.status).toBe(status);
        expect(storeCalls()).toBe(0);
        expect(runs).toBe(0);
      };
      const storeCalls = () => spy.total;
      return { url, post, storeCalls, runs: () => runs, expectRejected };
    }

    it('runs the handler once among concurrent deliveries; the others get 409 with Retry-After', async () => {
      let release!: () => void;
      const gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      const { post, runs } = await start(async () => {
        // Hold the claim until every other delivery has been answered.
        await gate;
        return Response.json({ ok: true });
      });
      const delivery = kit.sign(`evt_${randomUUID()}`, { amount: 100 });
      let answered = 0;
      const responses = await Promise.all(
        Array.from({ length: concurrency }, () =>
          post(delivery).then(async (response) => {
            const body = await response.text();
            answered += 1;
            if (answered === concurrency - 1) release();
            return {
              status: response.status,
              retryAfter: response.headers.get('retry-after'),
              body,
            };
          }),
        ),
      );
      const statuses = responses.map((r) => r.status).sort();
      expect(statuses).toEqual([200, ...Array(concurrency - 1).fill(409)]);
      expect(runs()).toBe(1);
      for (const conflict of responses.filter((r) => r.status === 409)) {
        expect(conflict.retryAfter).toMatch(/^[1-9]\d*$/);
      }
    });

    it('replays a sequential duplicate byte for byte, with Idempotent-Replayed: true', async () => {
      const { post, runs } = await start(({ key }) => {
        return new Response(binaryBody(key), {
          status: 201,
          headers: {
            'content-type': 'application/octet-stream',
            'set-cookie': 'session=first-caller-only',
            'x-not-replayed': 'first-only',
          },
        });
      });
      const delivery = kit.sign(`evt_${randomUUID()}`, { amount: 100 });
      const first = await post(delivery);
      const firstBytes = new Uint8Array(await first.arrayBuffer());
      const second = await post(delivery);
      const secondBytes = new Uint8Array(await second.arrayBuffer());

      expect(first.status).toBe(201);
      expect(first.headers.get('idempotent-replayed')).toBeNull();
      expect(first.headers.get('x-not-replayed')).toBe('first-only');
      expect(second.status).toBe(201);
      expect(second.headers.get('idempotent-replayed')).toBe('true');
      expect(second.headers.get('content-type')).toBe('application/octet-stream');
      expect(second.headers.get('set-cookie')).toBeNull();
      expect(second.headers.get('x-not-replayed')).toBeNull();
      expect(Buffer.from(secondBytes).equals(Buffer.from(firstBytes))).toBe(true);
      expect(firstBytes[0]).toBe(0xff);
      expect(runs()).toBe(1);
    });

    it('rejects a forged signature with 401 before the store, and still processes the genuine delivery', async () => {
      const receiver = await start(() => Response.json({ ok: true }));
      const id = `evt_${randomUUID()}`;
      receiver.expectRejected(await receiver.post(kit.forge(id, { amount: 100 })), 401);

      const genuine = await receiver.post(kit.sign(id, { amount: 100 }));
      expect(genuine.status).toBe(200);
      expect(genuine.headers.get('idempotent-replayed')).toBeNull();
      expect(receiver.runs()).toBe(1);
    });

    it('rejects a tampered body with 401 before the store', async () => {
      const receiver = await start();
      const signed = kit.sign(`evt_${randomUUID()}`, { amount: 100 });
      const tampered = { ...signed, body: signed.body.replace('"amount":100', '"amount":900') };
      expect(tampered.body).not.toBe(signed.body);
      receiver.expectRejected(await receiver.post(tampered), 401);
    });

    it('releases the key when the handler throws, so the retry processes it once', async () => {
      let attempts = 0;
      let effects = 0;
      const { post } = await start(() => {
        attempts += 1;
        if (attempts === 1) throw new Error('downstream unavailable');
        effects += 1;
        return Response.json({ effects });
      });
      const delivery = kit.sign(`evt_${randomUUID()}`, { amount: 100 });
      const failed = await post(delivery);
      expect(failed.status).toBe(500);
      const retried = await post(delivery);
      expect(retried.status).toBe(200);
      const replayed = await post(delivery);
      expect(replayed.status).toBe(200);
      expect(replayed.headers.get('idempotent-replayed')).toBe('true');
      expect(await replayed.json()).toEqual({ effects: 1 });
      expect([attempts, effects]).toEqual([2, 1]);
    });

    it('does not store a 5xx answer: the key is released and the retry runs again', async () => {
      let attempts = 0;
      const { post } = await start(() => {
        attempts += 1;
        return attempts === 1
          ? new Response('try later', { status: 503 })
          : Response.json({ attempt: attempts });
      });
      const delivery = kit.sign(`evt_${randomUUID()}`, { amount: 100 });
      const first = await post(delivery);
      expect(first.status).toBe(503);
      expect(await first.text()).toBe('try later');
      const retried = await post(delivery);
      expect(retried.status).toBe(200);
      expect(await retried.json()).toEqual({ attempt: 2 });
      expect(attempts).toBe(2);
    });

    it('answers 413 past the body limit, before the store', async () => {
      const receiver = await start();
      const oversized = kit.sign(`evt_${randomUUID()}`, { padding: 'x'.repeat(MAX_BODY_BYTES) });
      receiver.expectRejected(await receiver.post(oversized), 413);
    });

    it('answers 413 to a chunked body as soon as it passes the limit', async () => {
      const receiver = await start();
      const chunk = new Uint8Array(1024).fill(0x61);
      let sent = 0;
      // No Content-Length: the limit must hold while reading, not only up front.
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent >= MAX_BODY_BYTES * 4) return controller.close();
          sent += chunk.byteLength;
          controller.enqueue(chunk);
        },
      });
      const init = {
        method: 'POST',
        headers: kit.sign(`evt_${randomUUID()}`, {}).headers,
        body,
        duplex: 'half',
      };
      receiver.expectRejected(await fetch(receiver.url, init as RequestInit), 413);
    });

    it(`answers ${kit.keylessStatus} to a delivery without a key, before the store`, async () => {
      const receiver = await start();
      receiver.expectRejected(await receiver.post(kit.keyless({ amount: 100 })), kit.keylessStatus);
    });

    it('answers 422 to the same key with a different payload', async () => {
      const { post, runs } = await start(() => Response.json({ ok: true }));
      const id = `evt_${randomUUID()}`;
      expect((await post(kit.sign(id, { amount: 100 }))).status).toBe(200);
      const reused = await post(kit.sign(id, { amount: 250 }));
      expect(reused.status).toBe(422);
      expect(reused.headers.get('content-type')).toBe('application/problem+json');
      expect(runs()).toBe(1);
    });
  });
}
