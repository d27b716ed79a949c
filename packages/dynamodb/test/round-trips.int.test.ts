import { randomUUID } from 'node:crypto';
import { createDeduper } from '@oncely/core';
import { gate } from '@oncely/test-support/gate';
import { countRequests } from '@oncely/test-support/request-counter';
import { describeWithServers } from '@oncely/test-support/servers';
import { useStoreTable } from '@oncely/test-support/tables';
import { expect, it } from 'vitest';

describeWithServers('DynamoDBStore round trips', () => {
  const table = useStoreTable('round-trips');
  const counter = countRequests(table.client);

  it('costs a new message 2 writes and a duplicate 1 conditional write, with no read', async () => {
    const deduper = createDeduper({ store: table.store, namespace: 'trips', storeResult: true });
    const key = randomUUID();

    counter.reset();
    const first = await deduper.run(key, () => ({ charged: 42 }));
    expect(first.status).toBe('processed');
    expect(counter.byCommand()).toEqual({ PutItemCommand: 1, UpdateItemCommand: 1 });

    counter.reset();
    const again = await deduper.run(key, () => ({ charged: 0 }));
    expect(again).toMatchObject({ status: 'duplicate', result: { charged: 42 } });
    expect(counter.byCommand()).toEqual({ PutItemCommand: 1 });
  });

  it('costs a live in-progress key 1 conditional write, with no read', async () => {
    const deduper = createDeduper({ store: table.store, namespace: 'trips' });
    const key = randomUUID();
    const owner = gate();
    const owned = deduper.run(key, () => owner.handler('first'));
    await owner.running;
    counter.reset();
    await expect(deduper.run(key, () => 'second')).rejects.toMatchObject({
      name: 'InProgressError',
    });
    expect(counter.byCommand()).toEqual({ PutItemCommand: 1 });
    owner.open();
    await owned;
  });

  it('costs 10 new messages run together 2 requests, and their 10 redeliveries 2', async () => {
    const deduper = createDeduper({ store: table.store, namespace: 'trips', storeResult: true });
    const keys = Array.from({ length: 10 }, () => randomUUID());
    counter.reset();
    const first = await Promise.all(keys.map((key) => deduper.run(key, () => ({ key }))));
    expect(first.map((outcome) => outcome.status)).toEqual(keys.map(() => 'processed'));
    // One INSERT round to claim, one UPDATE round to complete.
    expect(counter.byCommand()).toEqual({ BatchExecuteStatementCommand: 2 });

    counter.reset();
    const again = await Promise.all(keys.map((key) => deduper.run(key, () => 'again')));
    expect(again.map((outcome) => outcome.status)).toEqual(keys.map(() => 'duplicate'));
    expect(again.map((outcome) => outcome.result)).toEqual(keys.map((key) => ({ key })));
    // INSERTs refused as DuplicateItem, then UPDATEs refused with the record: no read.
    expect(counter.byCommand()).toEqual({ BatchExecuteStatementCommand: 2 });
  });

  it('costs a mixed batch of new, redelivered and in-progress keys 3 requests', async () => {
    const deduper = createDeduper({ store: table.store, namespace: 'trips' });
    const done = randomUUID();
    const busy = randomUUID();
    await deduper.run(done, () => 'done');
    const owner = gate();
    const owned = deduper.run(busy, () => owner.handler('first'));
    await owner.running;
    counter.reset();
    const fresh = Array.from({ length: 8 }, () => randomUUID());
    const outcomes = await Promise.allSettled(
      [done, busy, ...fresh].map((key) => deduper.run(key, () => 'ran')),
    );
    expect(
      outcomes.map((outcome) =>
        outcome.status === 'fulfilled' ? outcome.value.status : outcome.reason.name,
      ),
    ).toEqual(['duplicate', 'InProgressError', ...fresh.map(() => 'processed')]);
    // INSERT round, UPDATE round for the two existing keys, completion round.
    expect(counter.byCommand()).toEqual({ BatchExecuteStatementCommand: 3 });
    owner.open();
    await owned;
  });

  it('costs a transactional message 1 request, and its duplicate 1 request', async () => {
    const deduper = createDeduper({ store: table.store, namespace: 'trips', transactional: true });
    const key = randomUUID();
    counter.reset();
    expect((await deduper.run(key, () => 'done')).status).toBe('processed');
    expect(counter.byCommand()).toEqual({ TransactWriteItemsCommand: 1 });
    counter.reset();
    expect((await deduper.run(key, () => 'again')).status).toBe('duplicate');
    expect(counter.byCommand()).toEqual({ TransactWriteItemsCommand: 1 });
  });
});
