import { randomUUID } from 'node:crypto';
import { type AttributeValue, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { createDeduper, InProgressError, type RunContext } from '@oncely/core';
import { gate } from '@oncely/test-support/gate';
import { describeWithServers } from '@oncely/test-support/servers';
import { useStoreTable } from '@oncely/test-support/tables';
import { expect, it } from 'vitest';
import {
  dynamoTransaction,
  TransactionCancelledError,
  TransactionLimitError,
} from '../src/index.js';

describeWithServers('DynamoDBStore transactional mode', () => {
  const table = useStoreTable('transactional');
  const deduper = () =>
    createDeduper({
      store: table.store,
      namespace: 'ledger',
      transactional: true,
      storeResult: true,
    });

  async function read(pk: string): Promise<Record<string, AttributeValue> | undefined> {
    const output = await table.client.send(
      new GetItemCommand({
        TableName: table.tableName,
        Key: { pk: { S: pk } },
        ConsistentRead: true,
      }),
    );
    return output.Item;
  }

  async function counter(account: string): Promise<number> {
    return Number((await read(`account#${account}`))?.balance?.N ?? 0);
  }

  /** The handler's effects: a ledger row for this attempt and a balance increment. */
  function book(ctx: RunContext, account: string, attempt: string, amount: number): void {
    dynamoTransaction(ctx)
      .put({
        TableName: table.tableName,
        Item: {
          pk: { S: `entry#${attempt}` },
          account: { S: account },
          amount: { N: `${amount}` },
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      })
      .update({
        TableName: table.tableName,
        Key: { pk: { S: `account#${account}` } },
        UpdateExpression: 'ADD balance :amount',
        ExpressionAttributeValues: { ':amount': { N: `${amount}` } },
      });
  }

  it('commits the effects and the record together', async () => {
    const key = randomUUID();
    const account = randomUUID();
    const outcome = await deduper().run(key, (ctx) => {
      book(ctx, account, `${key}-1`, 25);
      return { booked: 25 };
    });
    expect(outcome).toMatchObject({ status: 'processed', result: { booked: 25 } });
    expect(await read(`entry#${key}-1`)).toMatchObject({ amount: { N: '25' } });
    expect(await counter(account)).toBe(25);
    expect(await deduper().get(key)).toMatchObject({
      status: 'COMPLETED',
      result: '{"booked":25}',
    });
  });

  it('writes none of a duplicate delivery’s effects and replays the first result', async () => {
    const key = randomUUID();
    const account = randomUUID();
    await deduper().run(key, (ctx) => {
      book(ctx, account, `${key}-1`, 10);
      return 'first';
    });
    const again = await deduper().run(key, (ctx) => {
      book(ctx, account, `${key}-2`, 10);
      return 'second';
    });
    expect(again).toMatchObject({ status: 'duplicate', result: 'first' });
    expect(await read(`entry#${key}-2`)).toBeUndefined();
    expect(await counter(account)).toBe(10);
  });

  it('lets exactly one of two concurrent deliveries of a key commit its effects', async () => {
    for (let round = 0; round < 5; round++) {
      const key = randomUUID();
      const account = randomUUID();
      // Both handlers finish before either commits, so the two commits really race.
      let arrived = 0;
      let bothArrived!: () => void;
      const barrier = new Promise<void>((resolve) => {
        bothArrived = resolve;
      });
      const delivery = (attempt: string) =>
        deduper().run(key, async (ctx) => {
          book(ctx, account, attempt, 7);
          if (++arrived === 2) bothArrived();
          await barrier;
          return attempt;
        });
      const outcomes = await Promise.all([delivery(`${key}-a`), delivery(`${key}-b`)]);
      expect(outcomes.map((o) => o.status).sort()).toEqual(['duplicate', 'processed']);
      const winner = outcomes.find((o) => o.status === 'processed')?.result;
      const loser = winner === `${key}-a` ? `${key}-b` : `${key}-a`;
      expect(outcomes.find((o) => o.status === 'duplicate')?.result).toBe(winner);
      expect(await read(`entry#${winner}`)).toBeDefined();
      expect(await read(`entry#${loser}`)).toBeUndefined();
      expect(await counter(account)).toBe(7);
    }
  });

  it('reports in progress, writing nothing, while a claim-mode delivery holds the key', async () => {
    const key = randomUUID();
    const account = randomUUID();
    const claimMode = createDeduper({ store: table.store, namespace: 'ledger' });
    const owner = gate();
    const owned = claimMode.run(key, () => owner.handler('claimed'));
    await owner.running;
    const error = await deduper()
      .run(key, (ctx) => book(ctx, account, `${key}-t`, 3))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InProgressError);
    expect(await counter(account)).toBe(0);
    owner.open();
    await owned;
  });

  it('fails with every reason when an effect’s condition fails, writing neither record nor effects', async () => {
    const key = randomUUID();
    const account = randomUUID();
    const error = await deduper()
      .run(key, (ctx) => {
        book(ctx, account, `${key}-1`, 5);
        dynamoTransaction(ctx).conditionCheck({
          TableName: table.tableName,
          Key: { pk: { S: `account#${account}-frozen` } },
          ConditionExpression: 'attribute_exists(pk)',
        });
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransactionCancelledError);
    const cancelled = error as TransactionCancelledError;
    expect(cancelled.retryable).toBe(false);
    expect(cancelled.cancellationReasons.map((r) => r.Code)).toEqual([
      'None',
      'None',
      'None',
      'ConditionalCheckFailed',
    ]);
    expect(await read(`entry#${key}-1`)).toBeUndefined();
    expect(await counter(account)).toBe(0);
    expect(await deduper().get(key)).toBeUndefined();
    // Nothing was recorded, so a later delivery (the account unfrozen) runs.
    expect((await deduper().run(key, (ctx) => book(ctx, account, `${key}-2`, 5))).status).toBe(
      'processed',
    );
    expect(await counter(account)).toBe(5);
  });

  it('commits the record with 99 effects (DynamoDB’s 100 actions) and refuses 100 before sending', async () => {
    const key = randomUUID();
    const rows = (n: number, prefix: string) => (ctx: RunContext) => {
      const tx = dynamoTransaction(ctx);
      for (let i = 0; i < n; i++) {
        tx.put({ TableName: table.tableName, Item: { pk: { S: `${prefix}#${i}` } } });
      }
    };
    expect((await deduper().run(key, rows(99, key))).status).toBe('processed');
    expect(await read(`${key}#98`)).toBeDefined();
    const other = randomUUID();
    const error = await deduper()
      .run(other, rows(100, other))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransactionLimitError);
    expect(await read(`${other}#0`)).toBeUndefined();
    expect(await deduper().get(other)).toBeUndefined();
  });
});
