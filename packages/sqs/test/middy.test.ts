import middy from '@middy/core';
import { InProgressError, MemoryStore } from '@oncely/core';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { type RecordOutcome, ReportedFailureError } from '../src/index.js';
import { sqsDedupMiddleware } from '../src/middy/index.js';
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
  return { seen, handler };
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

  it('keeps failure reports for IDs it did not claim', async () => {
    const handler = middy<SQSEvent, SQSBatchResponse>()
      .use(sqsDedupMiddleware({ store: new MemoryStore() }))
      .handler(async () => ({ batchItemFailures: [{ itemIdentifier: 'unknown' }] }));
    const response = await handler(event(record('a')), lambdaContext());
    expect(failedIds(response)).toEqual(['unknown']);
  });
});
