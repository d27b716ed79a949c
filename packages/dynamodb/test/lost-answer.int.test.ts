import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type ClaimItem, createDeduper } from '@oncely/core';
import { DynamoDBStore } from '@oncely/dynamodb';
import { describeWithServers, dynamoClient } from '@oncely/test-support/servers';
import { useStoreTable } from '@oncely/test-support/tables';
import { expect, it } from 'vitest';

/**
 * A client whose first send of `commandName` lands but whose answer is dropped, then is
 * sent again, as the SDK retries a request whose answer was lost (a reset, a timeout).
 */
function losingFirstAnswerOf(commandName: string): { client: DynamoDBClient; lost: () => number } {
  const client = dynamoClient();
  let lost = 0;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === commandName && lost === 0) {
        lost++;
        await next(args); // lands; answer dropped
      }
      return next(args);
    },
    { step: 'finalizeRequest', name: `lose-first-${commandName}-answer` },
  );
  return { client, lost: () => lost };
}

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

/**
 * The same for batches: the first `BatchExecuteStatement` of a `claimMany` or
 * `completeMany` lands and its answer is lost; the resend meets what it wrote.
 */
describeWithServers('DynamoDBStore when a batch answer is lost and the request is resent', () => {
  const table = useStoreTable('lost-batch-answer');
  const now = () => Date.now();
  const claimItems = (keys: readonly string[]): ClaimItem[] =>
    keys.map((key) => ({ key, leaseMs: 30_000, ttlMs: 3_600_000, now: now() }));

  it("claimMany: each resent INSERT is refused, and the UPDATE round finds the batch's own tokens: claimed, reported as possible takeovers", async () => {
    const { client, lost } = losingFirstAnswerOf('BatchExecuteStatementCommand');
    const store = new DynamoDBStore({ client, tableName: table.tableName });
    const keys = ['lost-claim-a', 'lost-claim-b', 'lost-claim-c'].map(
      (k) => `${table.namespace()}:${k}`,
    );
    const results = await store.claimMany(claimItems(keys));
    expect(lost()).toBe(1);
    for (const [index, result] of results.entries()) {
      expect(result).toMatchObject({
        status: 'fulfilled',
        value: { kind: 'claimed', previous: { key: keys[index], status: 'IN_PROGRESS' } },
      });
      const value = (
        result as PromiseFulfilledResult<{ token: string; previous: { token: string } }>
      ).value;
      // What the lost send wrote is this claim's own record.
      expect(value.previous.token).toBe(value.token);
    }
    client.destroy();
  });

  it('completeMany: the resent fenced UPDATEs still own their records and succeed', async () => {
    const direct = table.store;
    const keys = ['lost-done-a', 'lost-done-b'].map((k) => `${table.namespace()}:${k}`);
    const claims = await direct.claimMany(claimItems(keys));
    const tokens = claims.map((claim) => {
      if (claim.status !== 'fulfilled' || claim.value.kind !== 'claimed')
        throw new Error('not claimed');
      return claim.value.token;
    });
    const { client, lost } = losingFirstAnswerOf('BatchExecuteStatementCommand');
    const store = new DynamoDBStore({ client, tableName: table.tableName });
    const results = await store.completeMany(
      keys.map((key, index) => ({
        key,
        token: tokens[index] as string,
        ttlMs: 3_600_000,
        now: now(),
      })),
    );
    expect(lost()).toBe(1);
    for (const result of results) {
      expect(result).toMatchObject({ status: 'fulfilled', value: { ok: true } });
    }
    for (const key of keys) {
      expect(await direct.get(key, { now: now() })).toMatchObject({ status: 'COMPLETED' });
    }
    client.destroy();
  });

  it('through the deduper: a batch of runs whose claim answer was lost runs each handler once, each a possible takeover', async () => {
    const { client } = losingFirstAnswerOf('BatchExecuteStatementCommand');
    const store = new DynamoDBStore({ client, tableName: table.tableName });
    const takeovers: string[] = [];
    const deduper = createDeduper({
      store,
      namespace: table.namespace(),
      onEvent: (event) => {
        if (event.type === 'claimed' && event.takeover) takeovers.push(event.key);
      },
    });
    const effects: string[] = [];
    const keys = ['evt_a', 'evt_b', 'evt_c'];
    const outcomes = await Promise.all(
      keys.map((key) => deduper.run(key, () => effects.push(key))),
    );
    expect(outcomes.map((outcome) => outcome.status)).toEqual([
      'processed',
      'processed',
      'processed',
    ]);
    expect(effects.sort()).toEqual(keys);
    expect(takeovers.sort()).toEqual(keys);
    client.destroy();
  });
});
