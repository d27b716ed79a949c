import { type CancellationReason, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { createDeduper, ManualClock } from '@oncely/core';
import { describe, expect, it } from 'vitest';
import { DynamoDBStore, dynamoTransaction, TransactionCancelledError } from '../src/index.js';
import { fakeClient, inputOf, type SentCommand } from './fake-client.js';

const T = 1_900_000_000_000;
const TTL = 60_000;
const NONE: CancellationReason = { Code: 'None' };

function cancelledWith(...reasons: CancellationReason[]) {
  return new TransactionCanceledException({
    message: 'Transaction cancelled',
    CancellationReasons: reasons,
    $metadata: { httpStatusCode: 400 },
  });
}

function oldItem(status: string, leaseUntil: number, extra: Record<string, { S: string }> = {}) {
  return {
    pk: { S: 'ns#k' },
    status: { S: status },
    token: { S: 'other-owner' },
    leaseUntil: { N: String(leaseUntil) },
    expiresAt: { N: String(Math.ceil((T + TTL) / 1000)) },
    ...extra,
  };
}

function storeAnswering(...answers: (() => unknown)[]) {
  const { client, sent } = fakeClient(() => {
    const answer = answers.shift();
    return answer ? answer() : { $metadata: {} };
  });
  return { store: new DynamoDBStore({ tableName: 'oncely', client }), sent };
}

const ledgerPut = { Put: { TableName: 'ledger', Item: { pk: { S: 'row-1' } } } };

describe('DynamoDBStore.commit', () => {
  it('sends the record first, under the claim condition, with a client request token', async () => {
    const { store, sent } = storeAnswering();
    const outcome = await store.commit('ns#k', {
      ttlMs: TTL,
      now: T,
      result: '"ok"',
      fingerprint: 'fp',
      effects: [ledgerPut],
    });
    expect(outcome).toMatchObject({
      kind: 'committed',
      record: { status: 'COMPLETED', result: '"ok"' },
    });
    const input = sent[0]?.input as {
      TransactItems: Record<string, Record<string, unknown>>[];
      ClientRequestToken: string;
    };
    expect(sent.map((c) => c.name)).toEqual(['TransactWriteItemsCommand']);
    expect(input.ClientRequestToken).toMatch(/^[\w-]{36}$/);
    expect(input.TransactItems).toHaveLength(2);
    expect(input.TransactItems[0]?.Put).toMatchObject({
      TableName: 'oncely',
      Item: { pk: { S: 'ns#k' }, status: { S: 'COMPLETED' }, fingerprint: { S: 'fp' } },
      ConditionExpression: expect.stringContaining('attribute_not_exists(#k)'),
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });
    expect(input.TransactItems[1]).toEqual(ledgerPut);
  });

  it('reports a duplicate when the record condition failed on a completed record', async () => {
    const completed = oldItem('COMPLETED', T - 5000, { result: { S: '"first"' } });
    const { store } = storeAnswering(() => {
      throw cancelledWith({ Code: 'ConditionalCheckFailed', Item: completed }, NONE);
    });
    const outcome = await store.commit('ns#k', { ttlMs: TTL, now: T, effects: [ledgerPut] });
    expect(outcome).toMatchObject({
      kind: 'duplicate',
      record: { status: 'COMPLETED', result: '"first"' },
    });
  });

  it('reports in progress, with the time left, when a live claim holds the key', async () => {
    const { store } = storeAnswering(() => {
      throw cancelledWith({
        Code: 'ConditionalCheckFailed',
        Item: oldItem('IN_PROGRESS', T + 4000),
      });
    });
    const outcome = await store.commit('ns#k', { ttlMs: TTL, now: T, effects: [] });
    expect(outcome).toMatchObject({ kind: 'in_progress', retryAfterMs: 4000 });
  });

  it('throws every cancellation reason when an effect condition failed', async () => {
    const reasons = [
      NONE,
      { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed' },
    ];
    const { store } = storeAnswering(() => {
      throw cancelledWith(...reasons);
    });
    const error = await store
      .commit('ns#k', { ttlMs: TTL, now: T, effects: [ledgerPut] })
      .catch((e) => e);
    expect(error).toBeInstanceOf(TransactionCancelledError);
    expect(error).toMatchObject({ operation: 'commit', retryable: false, storeKey: 'ns#k' });
    expect(error.cancellationReasons).toEqual(reasons);
    expect(error.message).toContain('effect #0: ConditionalCheckFailed');
    expect(error.cause).toBeInstanceOf(TransactionCanceledException);
  });

  it('marks throttled cancellations retryable', async () => {
    const { store } = storeAnswering(() => {
      throw cancelledWith(NONE, { Code: 'ThrottlingError' });
    });
    const error = await store
      .commit('ns#k', { ttlMs: TTL, now: T, effects: [ledgerPut] })
      .catch((e) => e);
    expect(error).toMatchObject({ name: 'TransactionCancelledError', retryable: true });
  });

  it('retries a conflict with a fresh request token, then reads the winner as a duplicate', async () => {
    const conflict = () => {
      throw cancelledWith({ Code: 'TransactionConflict' }, NONE);
    };
    const completed = oldItem('COMPLETED', T);
    const { store, sent } = storeAnswering(conflict, () => {
      throw cancelledWith({ Code: 'ConditionalCheckFailed', Item: completed }, NONE);
    });
    const outcome = await store.commit('ns#k', { ttlMs: TTL, now: T, effects: [ledgerPut] });
    expect(outcome.kind).toBe('duplicate');
    const tokens = sent.map((c: SentCommand) => c.input.ClientRequestToken);
    expect(tokens).toHaveLength(2);
    expect(tokens[0]).not.toBe(tokens[1]);
  });

  it('gives up on a conflict that persists, as a retryable cancellation', async () => {
    const conflict = () => {
      throw cancelledWith(NONE, { Code: 'TransactionConflict' });
    };
    const { store, sent } = storeAnswering(conflict, conflict, conflict, conflict, conflict);
    const error = await store
      .commit('ns#k', { ttlMs: TTL, now: T, effects: [ledgerPut] })
      .catch((e) => e);
    expect(error).toMatchObject({ name: 'TransactionCancelledError', retryable: true });
    expect(sent).toHaveLength(4);
  });
});

describe('dynamoTransaction', () => {
  it('adds typed writes to the commit, in order', async () => {
    const { store, sent } = storeAnswering();
    const deduper = createDeduper({
      store,
      namespace: 'ns',
      transactional: true,
      clock: new ManualClock(T),
    });
    const key = { pk: { S: 'acct-1' } };
    await deduper.run('k', (ctx) => {
      dynamoTransaction(ctx)
        .put({ TableName: 'ledger', Item: { pk: { S: 'row-1' } } })
        .update({
          TableName: 'accounts',
          Key: key,
          UpdateExpression: 'ADD balance :a',
          ExpressionAttributeValues: { ':a': { N: '5' } },
        })
        .delete({ TableName: 'holds', Key: key })
        .conditionCheck({
          TableName: 'accounts',
          Key: key,
          ConditionExpression: 'attribute_exists(pk)',
        })
        .add({ Put: { TableName: 'audit', Item: { pk: { S: 'a-1' } } } });
      return 'done';
    });
    const { TransactItems: items } = inputOf<{
      TransactItems: Record<string, { TableName: string }>[];
    }>(sent, 0);
    expect(items.map((item) => Object.keys(item)[0])).toEqual([
      'Put',
      'Put',
      'Update',
      'Delete',
      'ConditionCheck',
      'Put',
    ]);
    expect(items.map((item) => Object.values(item)[0]?.TableName)).toEqual([
      'oncely',
      'ledger',
      'accounts',
      'holds',
      'accounts',
      'audit',
    ]);
  });

  it('throws outside transactional mode instead of dropping the write', async () => {
    const { store } = storeAnswering();
    const deduper = createDeduper({ store, namespace: 'ns', clock: new ManualClock(T) });
    await expect(
      deduper.run('k', (ctx) => {
        dynamoTransaction(ctx).put({ TableName: 'ledger', Item: {} });
      }),
    ).rejects.toThrow(/transactional/);
  });
});
