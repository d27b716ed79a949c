import { randomUUID } from 'node:crypto';
import { createDeduper } from '@oncely/core';
import { expect, it } from 'vitest';
import { countRequests } from '../../../test/support/request-counter.js';
import { describeWithServers } from '../../../test/support/servers.js';
import { useStoreTable } from '../../../test/support/tables.js';
import { gate } from './gate.js';

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
