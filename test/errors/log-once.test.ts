/**
 * A failure is logged once per message, with its typed error, by the layer that decides the
 * message's fate (the adapter), not once per layer: the engine only emits what it throws.
 * Successes log nothing. Checked with the default levels of the README's logging table.
 */
import {
  type DedupStore,
  type FencedOutcome,
  InProgressError,
  LeaseLostError,
  MemoryStore,
  type OncelyLogger,
  StoreError,
} from '@oncely/core';
import { createEachMessageHandler } from '@oncely/kafka/kafkajs';
import { createSqsHandler } from '@oncely/sqs';
import { createLambdaContext, createSqsEvent, createSqsRecord } from '@oncely/sqs/testing';
import { createWebhookHandler, idempotencyKey } from '@oncely/webhook';
import { describe, expect, it } from 'vitest';

interface Line {
  readonly level: keyof OncelyLogger;
  readonly message: string;
  readonly context: Record<string, unknown>;
}

function recording(): { logger: OncelyLogger; lines: Line[] } {
  const lines: Line[] = [];
  const at = (level: keyof OncelyLogger) => (message: string, context: Record<string, unknown>) =>
    void lines.push({ level, message, context });
  return {
    lines,
    logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') },
  };
}

/** The lines the default console logger would print (it drops debug). */
const printed = (lines: readonly Line[]) => lines.filter((line) => line.level !== 'debug');

const event = (...ids: string[]) =>
  createSqsEvent(...ids.map((messageId) => createSqsRecord(messageId, { body: messageId })));

class FailingClaims extends MemoryStore {
  override async claim(): Promise<never> {
    throw new Error('throttled');
  }
}
class FailingReleases extends MemoryStore {
  override async release(): Promise<never> {
    throw new Error('throttled');
  }
}
/** Completions find the lease taken over, as after a long pause. */
class LostLeases extends MemoryStore {
  override async complete(): Promise<FencedOutcome> {
    return { ok: false, reason: 'lease_lost' };
  }
}

describe('a failure is logged once per message', () => {
  const cases: [string, () => DedupStore, (id: string) => unknown, 'error' | 'info', unknown][] = [
    [
      'the handler throws',
      () => new MemoryStore(),
      () => {
        throw new RangeError('declined');
      },
      'error',
      RangeError,
    ],
    ['the claim fails in the store', () => new FailingClaims(), () => {}, 'error', StoreError],
    [
      'the handler throws and its release fails too',
      () => new FailingReleases(),
      () => {
        throw new RangeError('declined');
      },
      'error',
      RangeError,
    ],
    [
      'the lease is lost before completion',
      () => new LostLeases(),
      () => {},
      'error',
      LeaseLostError,
    ],
  ];
  for (const [name, store, handle, level, type] of cases) {
    it(`SQS: ${name}: one ${level} line, with the message ID, key and typed error`, async () => {
      const { logger, lines } = recording();
      const handler = createSqsHandler({
        store: store(),
        namespace: 'n',
        logger,
        handler: (r) => handle(r.messageId),
      });
      const response = await handler(event('m-1', 'm-2'), createLambdaContext());
      expect(response.batchItemFailures).toHaveLength(2);
      const shown = printed(lines);
      expect(shown.map((line) => [line.level, line.context.messageId])).toEqual([
        [level, 'm-1'],
        [level, 'm-2'],
      ]);
      expect(shown[0]?.context).toMatchObject({ key: 'm-1', error: expect.any(type as never) });
    });
  }

  it('SQS: a key in progress elsewhere is one info line; successes log nothing', async () => {
    const store = new MemoryStore();
    await store.claim('n#busy', { leaseMs: 60_000, ttlMs: 120_000, now: Date.now() });
    const { logger, lines } = recording();
    const handler = createSqsHandler({ store, namespace: 'n', logger, handler: () => {} });
    await handler(event('busy', 'fine'), createLambdaContext());
    expect(lines.map((line) => [line.level, line.context.messageId])).toEqual([['info', 'busy']]);
    expect(lines[0]?.context.error).toBeInstanceOf(InProgressError);
  });

  it('webhook: a store failure is one error line (503)', async () => {
    const { logger, lines } = recording();
    const receiver = createWebhookHandler({
      provider: idempotencyKey({ caller: () => 'c' }),
      store: new FailingClaims(),
      namespace: 'n',
      logger,
      handler: () => {},
    });
    const response = await receiver.fetch(
      new Request('http://localhost/hook', {
        method: 'POST',
        headers: { 'idempotency-key': 'k' },
        body: '{}',
      }),
    );
    expect(response.status).toBe(503);
    expect(printed(lines).map((line) => line.level)).toEqual(['error']);
    expect(lines[0]?.context.error).toBeInstanceOf(StoreError);
  });

  it('Kafka: a handler error is one error line with topic, partition and offset, then thrown', async () => {
    const { logger, lines } = recording();
    const eachMessage = createEachMessageHandler({
      store: new MemoryStore(),
      groupId: 'g',
      logger,
      handler: () => {
        throw new RangeError('declined');
      },
    });
    const message = { offset: '7', key: null, value: Buffer.from('{}'), headers: {} };
    await expect(
      eachMessage({ topic: 'orders', partition: 0, message, heartbeat: async () => {} }),
    ).rejects.toBeInstanceOf(RangeError);
    expect(printed(lines).map((line) => [line.level, line.context.offset])).toEqual([
      ['error', '7'],
    ]);
    expect(lines[0]?.context).toMatchObject({ topic: 'orders', partition: 0, key: 'orders/0/7' });
  });
});
