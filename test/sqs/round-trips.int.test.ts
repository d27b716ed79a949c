/**
 * What a Lambda SQS batch costs the store: requests counted on DynamoDB Local for a
 * standard batch of 10 and a FIFO batch, new and redelivered.
 */
import { randomUUID } from 'node:crypto';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import middy from '@middy/core';
import { createRecordHandler, createSqsHandler } from '@oncely/sqs';
import { sqsDedupMiddleware } from '@oncely/sqs/middy';
import { createLambdaContext, createSqsRecord } from '@oncely/sqs/testing';
import { countRequests } from '@oncely/test-support/request-counter';
import { describeWithServers } from '@oncely/test-support/servers';
import { useStoreTable } from '@oncely/test-support/tables';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { expect, it } from 'vitest';

function lambdaRecord(body: string, groupId?: string, receiveCount = 1): SQSRecord {
  return createSqsRecord(randomUUID(), {
    body,
    receiveCount,
    ...(groupId === undefined ? {} : { groupId }),
  });
}

const tenNewRecords = () =>
  Array.from({ length: 10 }, (_, index) => lambdaRecord(`order-${index}`));

describeWithServers('Lambda SQS batches on DynamoDB Local: requests per batch', () => {
  const table = useStoreTable('sqs-round-trips');
  const counter = countRequests(table.client);

  /** Sends `event` twice: 2 requests the first time (claim, complete), 2 the second (both refused). */
  const expectTwoRequestsNewAndRedelivered = async (
    handler: (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>,
    event: SQSEvent,
  ) => {
    for (let delivery = 0; delivery < 2; delivery++) {
      counter.reset();
      expect(await handler(event, createLambdaContext())).toEqual({ batchItemFailures: [] });
      expect(counter.byCommand()).toEqual({ BatchExecuteStatementCommand: 2 });
    }
  };

  it('a standard batch of 10 costs 2 requests new and 2 redelivered', async () => {
    const effects: string[] = [];
    const handler = createSqsHandler({
      store: table.store,
      namespace: table.namespace(),
      handler: (record) => {
        effects.push(record.body);
      },
    });
    const event: SQSEvent = {
      Records: tenNewRecords(),
    };
    await expectTwoRequestsNewAndRedelivered(handler, event);
    expect(effects).toHaveLength(10);
  });

  it('a batch mixing new messages and redeliveries costs 2 requests: the receive count picks each claim', async () => {
    const handler = createSqsHandler({
      store: table.store,
      namespace: table.namespace(),
      handler: () => {},
    });
    const first = tenNewRecords();
    await handler({ Records: first }, createLambdaContext());
    const redelivered = first.slice(0, 3).map((record) => ({
      ...record,
      attributes: { ...record.attributes, ApproximateReceiveCount: '2' },
    }));
    const fresh = Array.from({ length: 7 }, (_, index) => lambdaRecord(`new-${index}`));
    counter.reset();
    const response = await handler({ Records: [...redelivered, ...fresh] }, createLambdaContext());
    expect(response).toEqual({ batchItemFailures: [] });
    // One request claims all ten (INSERTs for the new, UPDATEs for the redelivered), one completes.
    expect(counter.byCommand()).toEqual({ BatchExecuteStatementCommand: 2 });
  });

  it('a FIFO batch claims each group ahead in one request and releases what a failure stops', async () => {
    const ran: string[] = [];
    let declined = false;
    const handler = createSqsHandler({
      store: table.store,
      namespace: table.namespace(),
      handler: (record) => {
        if (record.body === 'a-2' && !declined) {
          declined = true;
          throw new Error('declined');
        }
        ran.push(record.body);
      },
    });
    const records = ['a-1', 'a-2', 'a-3', 'b-1', 'b-2'].map((body) =>
      lambdaRecord(body, body.slice(0, 1)),
    );
    counter.reset();
    const response = await handler({ Records: records }, createLambdaContext());
    expect(response.batchItemFailures.map((failure) => failure.itemIdentifier)).toEqual(
      [records[1], records[2]].map((record) => record?.messageId),
    );
    expect(ran).toEqual(['a-1', 'b-1', 'b-2']);
    // One claim batch for both groups; completions and releases batch with their turn.
    expect(counter.byCommand().BatchExecuteStatementCommand).toBeGreaterThanOrEqual(2);
    expect(counter.total).toBeLessThanOrEqual(6);
    // The claims a failure stopped were released: the redelivery runs them at once
    // (an unreleased claim would answer in progress until its lease ended).
    const retry = await handler(
      { Records: [records[1], records[2]] as SQSRecord[] },
      createLambdaContext(),
    );
    expect(retry.batchItemFailures).toEqual([]);
    expect(ran).toEqual(['a-1', 'b-1', 'b-2', 'a-2', 'a-3']);
  });

  it('the middy middleware: a standard batch of 10 costs 2 requests new and 2 redelivered', async () => {
    const handled: string[] = [];
    const handler = middy<SQSEvent, SQSBatchResponse>()
      .use(sqsDedupMiddleware({ store: table.store, namespace: table.namespace() }))
      .handler(async (event) => {
        handled.push(...event.Records.map((record) => record.body));
        return { batchItemFailures: [] };
      });
    const event: SQSEvent = {
      Records: tenNewRecords(),
    };
    await expectTwoRequestsNewAndRedelivered(handler, event);
    expect(handled).toHaveLength(10);
  });

  it('the Powertools record handler, records in parallel: a batch of 10 costs 2 requests new', async () => {
    let runs = 0;
    const recordHandler = createRecordHandler({
      store: table.store,
      namespace: table.namespace(),
      handler: () => {
        runs++;
      },
    });
    const event: SQSEvent = {
      Records: tenNewRecords(),
    };
    const context = createLambdaContext();
    counter.reset();
    const response = await processPartialResponse(
      event,
      recordHandler,
      new BatchProcessor(EventType.SQS),
      {
        context,
      },
    );
    expect(response).toEqual({ batchItemFailures: [] });
    expect(counter.byCommand()).toEqual({ BatchExecuteStatementCommand: 2 });
    expect(runs).toBe(10);
  });
});
