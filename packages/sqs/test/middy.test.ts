import middy from '@middy/core';
import {
  type DedupStore,
  FingerprintMismatchError,
  InProgressError,
  MemoryStore,
} from '@oncely/core';
import { bindStore } from '@oncely/core/testing';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import {
  createSqsHandler,
  EarlierCopyFailedError,
  type RecordOutcome,
  ReportedFailureError,
} from '../src/index.js';
import { type SqsMiddlewareOptions, sqsDedupMiddleware } from '../src/middy/index.js';
import { deferred, event, failedIds, lambdaContext, record } from './fixtures.js';

/** A batch handler that records what it saw and fails the IDs it is told to. */
function batchHandler(failing: string[] = []) {
  const seen: string[][] = [];
  const handler = async (incoming: SQSEvent): Promise<SQSBatchResponse> => {
    seen.push(incoming.Records.map((r) => r.messageId));
    return {
      batchItemFailures: incoming.Records.filter((r) => failing.includes(r.messageId)).map((r) => ({
        itemIdentifier: r.messageId,
      })),
    };
  };
  return { seen, handler, failing };
}

describe('sqsDedupMiddleware', () => {
  it('removes duplicates before the handler and acknowledges them', async () => {
    const store = new MemoryStore();
    const inner = batchHandler();
    const handler = middy<SQSEvent, SQSBatchResponse>()
      .use(sqsDedupMiddleware({ store }))
      .handler(inner.handler);
    await handler(event(record('a'), record('b')), lambdaContext());
    const response = await handler(event(record('a'), record('c')), lambdaContext());
    expect(inner.seen).toEqual([['a', 'b'], ['c']]);
    expect(failedIds(response)).toEqual([]);
  });

  it('skips the handler when every record is a duplicate', async () => {
    const store = new MemoryStore();
    const inner = batchHandler();
    const handler = middy<SQSEvent, SQSBatchResponse>()
      .use(sqsDedupMiddleware({ store }))
      .handler(inner.handler);
    await handler(event(record('a')), lambdaContext());
    const response = await handler(event(record('a')), lambdaContext());
    expect(inner.seen).toEqual([['a']]);
    expect(response).toEqual({ batchItemFailures: [] });
  });

  it('releases records the handler reports failed, so they run again, and completes the rest', async () => {
    const store = new MemoryStore();
    const outcomes: RecordOutcome<undefined>[] = [];
    const failing = ['b'];
    const inner = batchHandler(failing);
    const handler = middy<SQSEvent, SQSBatchResponse>()
      .use(sqsDedupMiddleware({ store, onOutcome: (o) => outcomes.push(o) }))
      .handler(inner.handler);
    const first = await handler(event(record('a'), record('b')), lambdaContext());
    failing.length = 0;
    const second = await handler(event(record('a'), record('b')), lambdaContext());
    expect(failedIds(first)).toEqual(['b']);
    expect(failedIds(second)).toEqual([]);
    expect(inner.seen).toEqual([['a', 'b'], ['b']]);
    const failed = outcomes.find((o) => o.status === 'failed');
    expect(failed?.status === 'failed' && failed.error).toBeInstanceOf(ReportedFailureError);
  });

  it('when the handler throws, releases every claim and fails only the claimed records', async () => {
    const store = new MemoryStore();
    let shouldThrow = false;
    const seen: string[][] = [];
    const handler = middy<SQSEvent, SQSBatchResponse | undefined>()
      .use(sqsDedupMiddleware({ store }))
      .handler(async (incoming) => {
        seen.push(incoming.Records.map((r) => r.messageId));
        if (shouldThrow) throw new Error('database down');
        return undefined;
      });
    await handler(event(record('a')), lambdaContext());
    shouldThrow = true;
    const failedRun = await handler(event(record('a'), record('b'), record('c')), lambdaContext());
    shouldThrow = false;
    const retry = await handler(event(record('b'), record('c')), lambdaContext());
    expect(failedIds(failedRun as SQSBatchResponse)).toEqual(['b', 'c']);
    expect(failedIds(retry as SQSBatchResponse)).toEqual([]);
    expect(seen).toEqual([['a'], ['b', 'c'], ['b', 'c']]);
  });

  it('fails a record whose key another delivery holds, without passing it to the handler', async () => {
    const store = new MemoryStore();
    const hold = deferred();
    const started = deferred();
    const outcomes: RecordOutcome<undefined>[] = [];
    const seen: string[][] = [];
    const handler = middy<SQSEvent, SQSBatchResponse | undefined>()
      .use(sqsDedupMiddleware({ store, key: { field: 'id' }, onOutcome: (o) => outcomes.push(o) }))
      .handler(async (incoming) => {
        seen.push(incoming.Records.map((r) => r.messageId));
        if (seen.length === 1) {
          started.resolve();
          await hold.promise;
        }
        return undefined;
      });
    const body = JSON.stringify({ id: 'order-1' });
    const slow = handler(event(record('m-1', { body })), lambdaContext());
    await started.promise;
    const concurrent = await handler(
      event(record('m-2', { body }), record('m-3')),
      lambdaContext(),
    );
    hold.resolve();
    await slow;
    expect(failedIds(concurrent as SQSBatchResponse)).toEqual(['m-2']);
    expect(seen).toEqual([['m-1'], ['m-3']]);
    const failed = outcomes.find((o) => o.status === 'failed');
    expect(failed?.status === 'failed' && failed.error).toBeInstanceOf(InProgressError);
  });

  it('FIFO: stops claiming a group at a record that cannot be claimed', async () => {
    const store = new MemoryStore();
    const inner = batchHandler();
    const handler = middy<SQSEvent, SQSBatchResponse>()
      .use(sqsDedupMiddleware({ store, key: { field: 'id' } }))
      .handler(inner.handler);
    const response = await handler(
      event(
        record('a1', { groupId: 'A' }),
        record('a2', { groupId: 'A', body: 'not json' }),
        record('a3', { groupId: 'A' }),
        record('b1', { groupId: 'B' }),
      ),
      lambdaContext(),
    );
    expect(failedIds(response)).toEqual(['a2', 'a3']);
    expect(inner.seen).toEqual([['a1', 'b1']]);
  });

  describe('a producer copy inside one batch (same key, another message ID)', () => {
    const body = (id: string, extra: object = {}) => JSON.stringify({ id, ...extra });
    const batch = () =>
      event(
        record('m-1', { body: body('order-1') }),
        record('m-2', { body: body('order-2') }),
        record('m-3', { body: body('order-1') }),
      );
    /** The middleware keyed by the body's `id` around {@link batchHandler}, recording outcomes. */
    const keyedById = (failing: string[] = [], options: Partial<SqsMiddlewareOptions> = {}) => {
      const outcomes: RecordOutcome<undefined>[] = [];
      const inner = batchHandler(failing);
      const handler = middy<SQSEvent, SQSBatchResponse>()
        .use(
          sqsDedupMiddleware({
            store: new MemoryStore(),
            key: { field: 'id' },
            onOutcome: (o) => outcomes.push(o),
            ...options,
          }),
        )
        .handler(inner.handler);
      return { handler, inner, outcomes };
    };

    it('acknowledges the copy as a duplicate, as createSqsHandler does; the handler sees the first only', async () => {
      const { handler, inner, outcomes } = keyedById();
      const response = await handler(batch(), lambdaContext());
      expect(failedIds(response)).toEqual([]);
      expect(inner.seen).toEqual([['m-1', 'm-2']]);
      expect(outcomes.map((o) => [o.messageId, o.status])).toEqual([
        ['m-1', 'processed'],
        ['m-2', 'processed'],
        ['m-3', 'duplicate'],
      ]);

      // The Lambda handler answers the same batch the same way.
      const lambdaOutcomes: RecordOutcome<unknown>[] = [];
      const lambda = createSqsHandler({
        store: new MemoryStore(),
        key: { field: 'id' },
        onOutcome: (o) => lambdaOutcomes.push(o),
        handler: () => undefined,
      });
      expect(failedIds(await lambda(batch(), lambdaContext()))).toEqual([]);
      expect(lambdaOutcomes.map((o) => [o.messageId, o.status]).sort()).toEqual(
        outcomes.map((o) => [o.messageId, o.status]),
      );
    });

    it('claims the copy only after the first copy completed, so it finds the record done', async () => {
      const inner = new MemoryStore();
      const calls: string[] = [];
      const store: DedupStore = {
        ...bindStore(inner),
        claim: async (key, options) => {
          const outcome = await inner.claim(key, options);
          calls.push(`claim ${key.split('#')[1]}: ${outcome.kind}`);
          return outcome;
        },
        complete: (key, token, options) => {
          calls.push(`complete ${key.split('#')[1]}`);
          return inner.complete(key, token, options);
        },
      };
      const handler = middy<SQSEvent, SQSBatchResponse>()
        .use(sqsDedupMiddleware({ store, key: { field: 'id' } }))
        .handler(batchHandler().handler);
      await handler(batch(), lambdaContext());
      expect(calls).toEqual([
        'claim order-1: claimed',
        'claim order-2: claimed',
        'complete order-1',
        'complete order-2',
        'claim order-1: duplicate',
      ]);
    });

    it('fails the copy without running it when its first copy failed; the redelivery runs it', async () => {
      const { handler, inner, outcomes } = keyedById(['m-1']);
      const response = await handler(batch(), lambdaContext());
      expect(failedIds(response).sort()).toEqual(['m-1', 'm-3']);
      const copy = outcomes.find((o) => o.messageId === 'm-3');
      expect(copy?.status === 'failed' && copy.error).toBeInstanceOf(EarlierCopyFailedError);
      expect(copy).toMatchObject({ key: 'order-1', error: { copyOf: 'm-1', messageId: 'm-3' } });
      // Redelivered alone, the copy runs.
      inner.failing.length = 0;
      const again = await handler(event(record('m-3', { body: body('order-1') })), lambdaContext());
      expect(failedIds(again)).toEqual([]);
      expect(inner.seen).toEqual([['m-1', 'm-2'], ['m-3']]);
    });

    it('fails the copies when the batch handler throws', async () => {
      const handler = middy<SQSEvent, SQSBatchResponse | undefined>()
        .use(sqsDedupMiddleware({ store: new MemoryStore(), key: { field: 'id' } }))
        .handler(async () => {
          throw new Error('database down');
        });
      const response = await handler(batch(), lambdaContext());
      expect(failedIds(response as SQSBatchResponse).sort()).toEqual(['m-1', 'm-2', 'm-3']);
    });

    it('checks the copy against the stored fingerprint, as any duplicate', async () => {
      const { handler, outcomes } = keyedById([], {
        fingerprint: (r) => JSON.parse(r.body).amount,
      });
      const response = await handler(
        event(
          record('m-1', { body: body('order-1', { amount: 5 }) }),
          record('m-2', { body: body('order-1', { amount: 7 }) }),
        ),
        lambdaContext(),
      );
      expect(failedIds(response)).toEqual(['m-2']);
      const copy = outcomes.find((o) => o.messageId === 'm-2');
      expect(copy?.status === 'failed' && copy.error).toBeInstanceOf(FingerprintMismatchError);
    });

    it('FIFO: a copy in the same group is held back and acknowledged; the group goes on', async () => {
      const { handler, inner } = keyedById();
      const response = await handler(
        event(
          record('a1', { groupId: 'A', body: body('order-1') }),
          record('a2', { groupId: 'A', body: body('order-1') }),
          record('a3', { groupId: 'A', body: body('order-3') }),
        ),
        lambdaContext(),
      );
      expect(failedIds(response)).toEqual([]);
      expect(inner.seen).toEqual([['a1', 'a3']]);
    });
  });

  it('keeps failure reports for IDs it did not claim', async () => {
    const handler = middy<SQSEvent, SQSBatchResponse>()
      .use(sqsDedupMiddleware({ store: new MemoryStore() }))
      .handler(async () => ({ batchItemFailures: [{ itemIdentifier: 'unknown' }] }));
    const response = await handler(event(record('a')), lambdaContext());
    expect(failedIds(response)).toEqual(['unknown']);
  });
});
