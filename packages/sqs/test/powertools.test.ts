import {
  BatchProcessor,
  EventType,
  processPartialResponse,
  SqsFifoPartialProcessorAsync,
} from '@aws-lambda-powertools/batch';
import { InProgressError, MemoryStore } from '@oncely/core';
import { describe, expect, it } from 'vitest';
import { createRecordHandler, MessageKeyError } from '../src/index.js';
import { deferred, event, failedIds, lambdaContext, record, recordingLogger } from './fixtures.js';

describe('createRecordHandler with Powertools processPartialResponse', () => {
  it('acknowledges processed and duplicate records and lists failures', async () => {
    const ran: string[] = [];
    const recordHandler = createRecordHandler({
      store: new MemoryStore(),
      key: { field: 'id' },
      handler: (r) => {
        ran.push(r.messageId);
        if (r.messageId === 'boom') throw new Error('handler failed');
        return r.messageId.toUpperCase();
      },
    });
    const processor = new BatchProcessor(EventType.SQS);
    const batch = event(
      record('a', { body: '{"id":"k-a"}' }),
      record('a-retry', { body: '{"id":"k-a"}' }),
      record('boom', { body: '{"id":"k-boom"}' }),
      record('no-key', { body: '{}' }),
    );
    const context = lambdaContext();
    const first = await processPartialResponse(batch, recordHandler, processor, {
      context,
      processInParallel: false,
    });
    expect(failedIds(first)).toEqual(['boom', 'no-key']);
    expect(ran).toEqual(['a', 'boom']);
  });

  it('returns the outcome and throws typed errors for failures', async () => {
    const logger = recordingLogger();
    const recordHandler = createRecordHandler({
      store: new MemoryStore(),
      key: { field: 'id' },
      logger,
      handler: () => 'done',
    });
    const context = lambdaContext({ functionName: 'shipping' });
    await expect(
      recordHandler(record('a', { body: '{"id":"1"}' }), context),
    ).resolves.toMatchObject({
      status: 'processed',
      storeKey: 'shipping#1',
      result: 'done',
    });
    await expect(
      recordHandler(record('b', { body: '{"id":"1"}' }), context),
    ).resolves.toMatchObject({
      status: 'duplicate',
    });
    await expect(recordHandler(record('c', { body: '{}' }), context)).rejects.toBeInstanceOf(
      MessageKeyError,
    );
    expect(logger.lines.map((line) => line.context?.messageId)).toEqual(['c']);
  });

  it('reports a key held by a live claim as failed', async () => {
    const store = new MemoryStore();
    const hold = deferred();
    const started = deferred();
    const recordHandler = createRecordHandler({
      store,
      key: { field: 'id' },
      handler: async () => {
        started.resolve();
        await hold.promise;
      },
    });
    const context = lambdaContext();
    const slow = recordHandler(record('m-1', { body: '{"id":"x"}' }), context);
    await started.promise;
    await expect(
      recordHandler(record('m-2', { body: '{"id":"x"}' }), context),
    ).rejects.toBeInstanceOf(InProgressError);
    hold.resolve();
    await slow;
  });

  it('works with SqsFifoPartialProcessorAsync: a group stops at its first failure', async () => {
    const ran: string[] = [];
    const recordHandler = createRecordHandler({
      store: new MemoryStore(),
      handler: (r) => {
        ran.push(r.messageId);
        if (r.messageId === 'a2') throw new Error('a2 failed');
      },
    });
    const response = await processPartialResponse(
      event(
        record('a1', { groupId: 'A' }),
        record('a2', { groupId: 'A' }),
        record('b1', { groupId: 'B' }),
        record('a3', { groupId: 'A' }),
      ),
      recordHandler,
      new SqsFifoPartialProcessorAsync(),
      { context: lambdaContext(), skipGroupOnError: true },
    );
    expect(failedIds(response)).toEqual(['a2', 'a3']);
    expect(ran).toEqual(['a1', 'a2', 'b1']);
  });

  it('needs a namespace when Powertools is not given the Lambda context', async () => {
    const recordHandler = createRecordHandler({ store: new MemoryStore(), handler: () => {} });
    await expect(recordHandler(record('a'))).rejects.toMatchObject({
      name: 'InvalidOptionError',
      option: 'namespace',
    });
    const named = createRecordHandler({
      store: new MemoryStore(),
      namespace: 'orders',
      handler: () => {},
    });
    await expect(named(record('a'))).resolves.toMatchObject({ storeKey: 'orders#a' });
  });
});
