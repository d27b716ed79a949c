/**
 * @oncely/kafka with DynamoDB Local and a real Kafka broker: transactional mode writing
 * ledger rows exactly once, and the store writes per message of per-message claims against
 * watermark mode on the DynamoDB watermark store (whose contract is checked by
 * `packages/dynamodb/test/watermark-conformance.int.test.ts`).
 */
import { DeleteTableCommand, type DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import type { OncelyEvent } from '@oncely/core';
import { spyStore, spyWatermarkStore } from '@oncely/core/testing';
import { createTable, DynamoDBStore, dynamoTransaction } from '@oncely/dynamodb';
import { DynamoDBWatermarkStore } from '@oncely/dynamodb/watermark';
import { createEachBatchHandler, createWatermarkBatchHandler } from '@oncely/kafka/kafkajs';
import { describeWithServers, dynamoClient } from '@oncely/test-support/servers';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { EffectLedger, eventually, KafkaHarness, unique } from './harness.js';

describeWithServers('@oncely/kafka with DynamoDB', () => {
  const harness = new KafkaHarness();
  let client: DynamoDBClient;
  let store: DynamoDBStore;
  const tableName = unique('oncely-kafka');
  const ledgerTable = unique('oncely-kafka-ledger');

  beforeAll(async () => {
    client = dynamoClient();
    await Promise.all([
      createTable(client, { tableName }),
      createTable(client, { tableName: ledgerTable }),
    ]);
    store = new DynamoDBStore({ client, tableName });
  });
  afterAll(async () => {
    await harness.close();
    await Promise.allSettled(
      [tableName, ledgerTable].map((TableName) =>
        client.send(new DeleteTableCommand({ TableName })),
      ),
    );
    client.destroy();
  });

  /** Ledger rows: how many times each key's effect landed. */
  async function ledgerRows(): Promise<Map<string, number>> {
    const rows = new Map<string, number>();
    let ExclusiveStartKey: Record<string, never> | undefined;
    do {
      const page = await client.send(
        new ScanCommand({ TableName: ledgerTable, ConsistentRead: true, ExclusiveStartKey }),
      );
      for (const item of page.Items ?? []) {
        rows.set(String(item.pk?.S), Number(item.applied?.N));
      }
      ExclusiveStartKey = page.LastEvaluatedKey as typeof ExclusiveStartKey;
    } while (ExclusiveStartKey);
    return rows;
  }

  it('transactional mode writes each event to the ledger exactly once: producer duplicates, a failed attempt, a crash before commit', async () => {
    const topic = await harness.createTopic('tx', 2);
    const groupId = unique('tx');
    const events = Array.from({ length: 10 }, (_, i) => `evt-${i}`);
    await harness.produce(
      topic,
      [...events, ...events].map((id) => ({
        key: id,
        value: JSON.stringify({ id, amount: 5 }),
        headers: { 'idempotency-key': id },
      })),
    );
    let failedOnce = false;
    const handlerFor = (seen: OncelyEvent[]) =>
      createEachBatchHandler({
        store,
        groupId,
        transactional: true,
        key: { header: 'idempotency-key' },
        eachBatchAutoResolve: false,
        onEvent: (event) => seen.push(event),
        handler: ({ key, message }, context) => {
          const { amount } = JSON.parse(String(message.value)) as { amount: number };
          dynamoTransaction(context).update({
            TableName: ledgerTable,
            Key: { pk: { S: key } },
            UpdateExpression: 'ADD #applied :one, #amount :amount',
            ExpressionAttributeNames: { '#applied': 'applied', '#amount': 'amount' },
            ExpressionAttributeValues: { ':one': { N: '1' }, ':amount': { N: String(amount) } },
          });
          // The first attempt at evt-3 fails after adding its write: nothing may land.
          if (key.endsWith('/evt-3') && !failedOnce) {
            failedOnce = true;
            throw new Error('downstream timeout after the write was added');
          }
        },
      });

    // The first consumer never commits, then goes away.
    const first = await harness.consume(groupId, topic, {
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: handlerFor([]),
    });
    await eventually('every event in the ledger', async () => (await ledgerRows()).size === 10);
    await harness.stop(first);
    expect(failedOnce).toBe(true);

    // A new consumer gets all 20 messages again: every one is a duplicate now.
    const replay: OncelyEvent[] = [];
    await harness.consume(groupId, topic, {
      eachBatchAutoResolve: false,
      eachBatch: handlerFor(replay),
    });
    await eventually('the group to commit every message', () => harness.caughtUp(groupId, topic));
    expect(replay.filter((event) => event.type === 'duplicate')).toHaveLength(20);

    const rows = await ledgerRows();
    expect([...rows.keys()].sort()).toEqual(events.map((id) => `${topic}/${id}`).sort());
    expect([...rows.values()].every((applied) => applied === 1)).toBe(true);
  });

  it('watermark mode writes once per partition per batch; per-message claims write twice per message', async () => {
    const topic = await harness.createTopic('writes', 3);
    const total = 300;
    await harness.produce(
      topic,
      Array.from({ length: total }, (_, i) => ({ value: `m${i}`, partition: i % 3 })),
    );

    // Watermark mode: count batches and store calls.
    const watermarkGroup = unique('watermark');
    const watermarked = spyWatermarkStore(new DynamoDBWatermarkStore({ client, tableName }));
    const watermarkLedger = new EffectLedger();
    let batchesWithMessages = 0;
    const watermarkHandler = createWatermarkBatchHandler({
      watermarks: watermarked.store,
      groupId: watermarkGroup,
      eachBatchAutoResolve: false,
      handler: ({ message }) => watermarkLedger.record(String(message.value)),
    });
    const first = await harness.consume(watermarkGroup, topic, {
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async (payload) => {
        if (payload.batch.messages.length > 0) batchesWithMessages++;
        await watermarkHandler(payload);
      },
    });
    await eventually(
      'watermark mode to process every message',
      () => watermarkLedger.size === total,
    );
    await harness.stop(first); // nothing committed to Kafka

    expect(watermarked.calls.advance).toBeLessThanOrEqual(batchesWithMessages);
    expect(watermarked.writes).toBeGreaterThanOrEqual(3); // at least one per partition
    expect(watermarked.writes / total).toBeLessThan(0.1);

    // Redelivered after the crash: everything is at or below a watermark, nothing runs.
    const replayWrites = watermarked.writes;
    await harness.consume(watermarkGroup, topic, {
      eachBatchAutoResolve: false,
      eachBatch: createWatermarkBatchHandler({
        watermarks: watermarked.store,
        groupId: watermarkGroup,
        eachBatchAutoResolve: false,
        handler: ({ message }) => watermarkLedger.record(String(message.value)),
      }),
    });
    await eventually('the redelivery to be committed', () =>
      harness.caughtUp(watermarkGroup, topic),
    );
    expect(watermarkLedger.total).toBe(total);
    expect(watermarked.writes).toBe(replayWrites);

    // Per-message claims on DynamoDB, same messages: a claim and a completion each.
    const claimGroup = unique('per-message');
    const claims = spyStore(store, { batch: false });
    const claimLedger = new EffectLedger();
    await harness.consume(claimGroup, topic, {
      eachBatchAutoResolve: false,
      eachBatch: createEachBatchHandler({
        store: claims.store,
        groupId: claimGroup,
        eachBatchAutoResolve: false,
        handler: ({ message }) => claimLedger.record(String(message.value)),
      }),
    });
    await eventually('per-message mode to commit every message', () =>
      harness.caughtUp(claimGroup, topic),
    );
    expect(claimLedger.total).toBe(total);
    expect(claims.calls).toEqual({ claim: total, complete: total });
    expect(claims.writes / total).toBe(2);
  });

  it('watermark mode given the consumer reads each partition once per group generation', async () => {
    const topic = await harness.createTopic('remembered', 3);
    const group = unique('remembered');
    const watermarked = spyWatermarkStore(new DynamoDBWatermarkStore({ client, tableName }));
    const ledger = new EffectLedger();
    let joins = 0;
    let batchesWithMessages = 0;
    const consumer = await harness.consume(group, topic, (consumer) => {
      consumer.on(consumer.events.GROUP_JOIN, () => joins++);
      const handler = createWatermarkBatchHandler({
        watermarks: watermarked.store,
        groupId: group,
        consumer,
        eachBatchAutoResolve: false,
        handler: ({ message }) => ledger.record(String(message.value)),
      });
      return {
        eachBatchAutoResolve: false,
        eachBatch: async (payload) => {
          if (payload.batch.messages.length > 0) batchesWithMessages++;
          await handler(payload);
        },
      };
    });
    // Rounds produced after the previous one was processed: several batches per partition.
    const rounds = 5;
    const perRound = 30;
    for (let round = 0; round < rounds; round++) {
      await harness.produce(
        topic,
        Array.from({ length: perRound }, (_, i) => ({
          value: `r${round}m${i}`,
          partition: i % 3,
        })),
      );
      const expected = (round + 1) * perRound;
      await eventually(`round ${round} to be processed`, () => ledger.size === expected);
    }
    await eventually('every batch to be committed', () => harness.caughtUp(group, topic));
    await harness.stop(consumer);

    expect(ledger.total).toBe(rounds * perRound);
    expect(batchesWithMessages).toBeGreaterThanOrEqual(rounds * 3);
    expect(watermarked.calls.advance).toBe(batchesWithMessages);
    // One read per partition and generation, against one per batch without the consumer.
    expect(joins).toBeGreaterThanOrEqual(1);
    expect(watermarked.reads).toBeLessThanOrEqual(3 * joins);
    expect(watermarked.reads).toBeLessThan(batchesWithMessages);
  });
});
