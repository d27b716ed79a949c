import { createDeduper } from '@oncely/core';
import { DynamoDBStore } from '@oncely/dynamodb';
import { expect, it } from 'vitest';
import { describeWithServers, dynamoClient } from '../../../test/support/servers.js';
import { useStoreTable } from '../../../test/support/tables.js';

/**
 * A claim whose first PutItem lands but whose answer is lost (a connection reset, a
 * timeout), followed by the SDK's retry of the same request: the retry meets the
 * record its own first attempt wrote.
 */
describeWithServers('DynamoDBStore when a claim answer is lost and the SDK retries', () => {
  const table = useStoreTable('lost-answer');

  it('recognises its own token: the claim is ours, reported as a possible takeover, with no wait', async () => {
    const client = dynamoClient();
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'PutItemCommand') await next(args); // lands; answer dropped
        return next(args);
      },
      { step: 'finalizeRequest', name: 'lose-first-put-answer' },
    );
    const store = new DynamoDBStore({ client, tableName: table.tableName });
    const events: string[] = [];
    const deduper = createDeduper({
      store,
      namespace: table.namespace(),
      onEvent: (event) =>
        events.push(event.type === 'claimed' ? `claimed:${event.takeover}` : event.type),
    });
    const effects: string[] = [];
    const outcome = await deduper.run('evt_1', () => effects.push('charged'));
    expect(outcome.status).toBe('processed');
    expect(effects).toEqual(['charged']);
    expect(events).toEqual(['claimed:true', 'completed']);
    const again = await deduper.run('evt_1', () => effects.push('again'));
    expect(again.status).toBe('duplicate');
    client.destroy();
  });
});
