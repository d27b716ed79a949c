/**
 * DynamoDBStore's batch operations behind the fault proxy: messages run together, so the
 * deduper coalesces their claims and completions into `BatchExecuteStatement`s, and the
 * proxy fails single statements inside the HTTP 200 answer (the SDK retries none of
 * them), or the whole batch after DynamoDB applied it. SDK retries are off throughout:
 * whatever recovers, the store and the engine recovered.
 */
import { randomUUID } from 'node:crypto';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { createDeduper, ManualClock, type OncelyEvent, StoreError } from '@oncely/core';
import { createTable } from '@oncely/dynamodb';
import { createSqsHandler } from '@oncely/sqs';
import { createLambdaContext } from '@oncely/sqs/testing';
import { toLambdaRecord } from '@oncely/sqs/testing/sqs-server';
import { describeWithServers, dynamoClient, dynamodbEndpoint } from '@oncely/test-support/servers';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EventTally } from '../chaos/event-tally.js';
import { type FaultyStore, startFaultyStore } from './faulty-store.js';

const recordsTable = `batch-faults-${randomUUID().slice(0, 8)}`;
const LEASE_MS = 30_000;
/** The store's default sends of one statement (`batch.maxAttempts`). */
const STORE_ATTEMPTS = 4;
const BATCH = 'BatchExecuteStatement';

describeWithServers('DynamoDBStore batches under per-statement faults', () => {
  const admin = dynamoClient();
  let faulty: FaultyStore | undefined;

  beforeAll(async () => {
    await createTable(admin, { tableName: recordsTable });
  });
  afterEach(async () => {
    await faulty?.close();
    faulty = undefined;
  });
  afterAll(async () => {
    await admin.send(new DeleteTableCommand({ TableName: recordsTable }));
    admin.destroy();
  });

  /** A store behind a proxy that injects only what a test scripts, and a deduper on it. */
  async function scripted() {
    faulty = await startFaultyStore({
      target: dynamodbEndpoint(),
      tableName: recordsTable,
      maxAttempts: 1,
      faultRate: 0,
    });
    const store = faulty.store;
    const clock = new ManualClock(Date.now());
    const tally = new EventTally();
    const namespace = `batch-${randomUUID()}`;
    const events: OncelyEvent[] = [];
    const deduper = createDeduper({
      store,
      namespace,
      lease: LEASE_MS,
      clock,
      onEvent: (event) => {
        events.push(event);
        tally.record(event);
      },
    });
    const direct = faulty.direct;
    const record = (key: string) => direct.get(deduper.storeKey(key), { now: clock.now() });
    const effects: string[] = [];
    /** Runs every key together (one turn), so claims and completions coalesce. */
    const runAll = (keys: readonly string[]) =>
      Promise.allSettled(keys.map((key) => deduper.run(key, () => effects.push(key))));
    return {
      proxy: faulty.proxy,
      store,
      namespace,
      clock,
      tally,
      events,
      deduper,
      record,
      effects,
      runAll,
    };
  }

  const keys = ['a', 'b', 'c'] as const;

  describe('a claim statement', () => {
    it('throttled once: the store resends it alone and it lands; its siblings are unaffected', async () => {
      const { proxy, deduper, tally, record, effects, runAll } = await scripted();
      proxy.injectNext('statement-error', BATCH, {
        keys: [deduper.storeKey('b')],
        code: 'ThrottlingError',
      });

      const outcomes = await runAll(keys);
      for (const outcome of outcomes) {
        expect(outcome).toMatchObject({ status: 'fulfilled', value: { status: 'processed' } });
      }
      expect(effects.sort()).toEqual(['a', 'b', 'c']);
      for (const key of keys) expect(await record(key)).toMatchObject({ status: 'COMPLETED' });
      expect(proxy.stats()).toMatchObject({ statementErrors: 1, statementsAppliedButUnseen: 0 });
      // Nothing of b's was applied before the resend: no takeover, no store error.
      expect(tally.totalTakeovers).toBe(0);
      expect(tally.count('store_error')).toBe(0);
    });

    it('throttled on every send: only its key fails, with a retryable StoreError naming it; its handler never runs', async () => {
      const { proxy, deduper, tally, record, effects, runAll } = await scripted();
      const b = deduper.storeKey('b');
      for (let i = 0; i < STORE_ATTEMPTS; i++) {
        proxy.injectNext('statement-error', BATCH, { keys: [b], code: 'ThrottlingError' });
      }

      const [a, failed, c] = await runAll(keys);
      expect(a).toMatchObject({ status: 'fulfilled', value: { status: 'processed' } });
      expect(c).toMatchObject({ status: 'fulfilled', value: { status: 'processed' } });
      expect(failed).toMatchObject({ status: 'rejected' });
      const error = (failed as PromiseRejectedResult).reason;
      expect(error).toBeInstanceOf(StoreError);
      expect(error).toMatchObject({ operation: 'claim', retryable: true, storeKey: b, key: 'b' });
      expect(effects.sort()).toEqual(['a', 'c']);
      expect(await record('b')).toBeUndefined();
      expect(proxy.stats().statementErrors).toBe(STORE_ATTEMPTS);
      expect(tally.count('store_error')).toBe(1);

      // The redelivery claims it as new: nothing of the failed sends was applied.
      await expect(deduper.run('b', () => effects.push('b'))).resolves.toMatchObject({
        status: 'processed',
      });
      expect(effects.filter((key) => key === 'b')).toHaveLength(1);
      expect(tally.totalTakeovers).toBe(0);
    });

    it('throttled on every send, in a Lambda SQS batch: only its record is reported failed, so only it is redelivered', async () => {
      const { proxy, store, namespace } = await scripted();
      const ran: string[] = [];
      const handler = createSqsHandler({
        store,
        namespace,
        lease: LEASE_MS,
        handler: (record) => {
          ran.push(record.messageId);
        },
      });
      const ids = keys.map((key) => `msg-${key}-${randomUUID()}`);
      const failing = createDeduper({ store, namespace }).storeKey(ids[1] as string);
      for (let i = 0; i < STORE_ATTEMPTS; i++) {
        proxy.injectNext('statement-error', BATCH, { keys: [failing] });
      }
      const event = {
        Records: ids.map((id) =>
          toLambdaRecord(
            { MessageId: id, ReceiptHandle: `rh-${id}`, Body: '{}' },
            'arn:aws:sqs:us-east-1:000000000000:orders',
          ),
        ),
      };

      const response = await handler(event, createLambdaContext());
      expect(response.batchItemFailures).toEqual([{ itemIdentifier: ids[1] }]);
      expect(ran.sort()).toEqual([ids[0], ids[2]].sort());
    });

    it('applied but answered InternalServerError: the resend recognises its own token; the handler runs once, reported as a possible takeover', async () => {
      const { proxy, deduper, tally, record, effects, runAll } = await scripted();
      proxy.injectNext('statement-error-after', BATCH, { keys: [deduper.storeKey('b')] });

      const outcomes = await runAll(keys);
      for (const outcome of outcomes) {
        expect(outcome).toMatchObject({ status: 'fulfilled', value: { status: 'processed' } });
      }
      expect(effects.sort()).toEqual(['a', 'b', 'c']);
      expect(proxy.stats()).toMatchObject({ statementErrors: 1, statementsAppliedButUnseen: 1 });
      expect(tally.takeovers.get('b')).toBe(1);
      expect(tally.totalTakeovers).toBe(1);
      expect(await record('b')).toMatchObject({ status: 'COMPLETED' });
    });
  });

  describe('a completion statement', () => {
    it('throttled once: resent and recorded; every effect ran once', async () => {
      const { proxy, deduper, record, effects, runAll, tally } = await scripted();
      // The claims go first; script the fault for the completions' batch once they run.
      const outcomes = runAll(keys);
      await waitFor(() => effects.length === keys.length);
      proxy.injectNext('statement-error', BATCH, {
        keys: [deduper.storeKey('b')],
        code: 'ProvisionedThroughputExceeded',
      });
      for (const outcome of await outcomes) {
        expect(outcome).toMatchObject({ status: 'fulfilled', value: { status: 'processed' } });
      }
      for (const key of keys) expect(await record(key)).toMatchObject({ status: 'COMPLETED' });
      expect(proxy.stats().statementErrors).toBe(1);
      expect(tally.count('store_error')).toBe(0);
    });

    it('throttled on every send: the record stays IN_PROGRESS, the deduper reports a complete failure for that key alone', async () => {
      const { proxy, deduper, events, record, effects, runAll } = await scripted();
      const b = deduper.storeKey('b');
      const outcomes = runAll(keys);
      await waitFor(() => effects.length === keys.length);
      // The batched completion's sends, then the engine's own retries: a lone key's
      // retry goes out as a single UpdateItem, so that is faulted too.
      for (let i = 0; i < STORE_ATTEMPTS; i++) {
        proxy.injectNext('statement-error', BATCH, { keys: [b], code: 'ThrottlingError' });
      }
      for (let i = 0; i < 10; i++) proxy.injectNext('throttle', 'UpdateItem', { keys: [b] });

      const [a, failed, c] = await outcomes;
      expect(a).toMatchObject({ status: 'fulfilled', value: { status: 'processed' } });
      expect(c).toMatchObject({ status: 'fulfilled', value: { status: 'processed' } });
      expect(failed).toMatchObject({
        status: 'rejected',
        reason: { name: 'StoreError', operation: 'complete', retryable: true, storeKey: b },
      });
      expect(await record('b')).toMatchObject({ status: 'IN_PROGRESS' });
      expect(await record('a')).toMatchObject({ status: 'COMPLETED' });
      // The store resent b's statement up to its limit, and the engine retried the
      // completion five times (the first batched call, then five single ones).
      expect(proxy.stats().statementErrors).toBe(STORE_ATTEMPTS);
      expect(proxy.stats().byOperation.UpdateItem).toEqual({ throttle: 5 });
      // Every failed attempt was reported, each for b alone.
      const storeErrors = events.filter((event) => event.type === 'store_error');
      expect(storeErrors.length).toBeGreaterThan(1);
      expect(new Set(storeErrors.map((event) => event.key))).toEqual(new Set(['b']));
      expect(effects.sort()).toEqual(['a', 'b', 'c']);
    });
  });

  describe('a whole batch reset after DynamoDB applied it', () => {
    it('claims: the resent INSERTs meet records holding the batch’s own tokens; every handler runs once, each a possible takeover', async () => {
      const { proxy, tally, record, effects, runAll } = await scripted();
      proxy.injectNext('reset-after', BATCH);

      const outcomes = await runAll(keys);
      for (const outcome of outcomes) {
        expect(outcome).toMatchObject({ status: 'fulfilled', value: { status: 'processed' } });
      }
      expect(effects.sort()).toEqual(['a', 'b', 'c']);
      expect(proxy.stats()).toMatchObject({ appliedButUnseen: 1, statementsAppliedButUnseen: 3 });
      for (const key of keys) {
        expect(tally.takeovers.get(key)).toBe(1);
        expect(await record(key)).toMatchObject({ status: 'COMPLETED' });
      }
    });

    it('completions: the resent fenced UPDATEs still own their records and succeed; nothing repeats', async () => {
      const { proxy, deduper, tally, record, effects, runAll } = await scripted();
      const outcomes = runAll(keys);
      await waitFor(() => effects.length === keys.length);
      proxy.injectNext('reset-after', BATCH);

      for (const outcome of await outcomes) {
        expect(outcome).toMatchObject({ status: 'fulfilled', value: { status: 'processed' } });
      }
      expect(proxy.stats()).toMatchObject({ appliedButUnseen: 1, statementsAppliedButUnseen: 3 });
      for (const key of keys) expect(await record(key)).toMatchObject({ status: 'COMPLETED' });
      expect(tally.totalTakeovers).toBe(0);
      const again = await Promise.all(keys.map((key) => deduper.run(key, () => effects.push(key))));
      expect(again.map((outcome) => outcome.status)).toEqual([
        'duplicate',
        'duplicate',
        'duplicate',
      ]);
      expect(effects).toHaveLength(keys.length);
    });
  });
});

/** Polls (on the event loop, no wall-clock assertion) until `done` holds. */
async function waitFor(done: () => boolean): Promise<void> {
  while (!done()) await new Promise((resolve) => setImmediate(resolve));
}
