/**
 * DynamoDBStore behind the fault proxy. First each fault alone, at each step of a run,
 * with a manual clock so leases end on command; then many messages under random faults,
 * with the SDK's retries off (every fault surfaces) and on.
 */
import { randomUUID } from 'node:crypto';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import {
  createDeduper,
  type DeduperOptions,
  InProgressError,
  ManualClock,
  type RunContext,
  StoreError,
} from '@oncely/core';
import { createTable, dynamoTransaction } from '@oncely/dynamodb';
import { describeWithServers, dynamoClient, dynamodbEndpoint } from '@oncely/test-support/servers';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EventTally } from '../chaos/event-tally.js';
import { countByKey, createLedgerTable, effectPut, readLedger } from '../chaos/ledger.js';
import { judge, type RunMode } from '../chaos/verdict.js';
import { FAULT_KINDS, type FaultKind, STATEMENT_FAULT_KINDS } from './dynamodb-fault-proxy.js';
import { type FaultyStore, startFaultyStore } from './faulty-store.js';
import { describeStoreFaultRun, runStoreFaultScenario } from './store-fault-scenario.js';

const suffix = randomUUID().slice(0, 8);
const recordsTable = `store-faults-${suffix}`;
const ledgerTable = `store-faults-ledger-${suffix}`;
const LEASE_MS = 30_000;

class PlannedFailure extends Error {
  override name = 'PlannedFailure';
}

describeWithServers('DynamoDBStore under store faults', () => {
  const admin = dynamoClient();
  let faulty: FaultyStore | undefined;

  beforeAll(async () => {
    await createTable(admin, { tableName: recordsTable });
    await createLedgerTable(admin, ledgerTable);
  });
  afterEach(async () => {
    await faulty?.close();
    faulty = undefined;
  });
  afterAll(async () => {
    for (const TableName of [recordsTable, ledgerTable]) {
      await admin.send(new DeleteTableCommand({ TableName }));
    }
    admin.destroy();
  });

  /** A store behind a proxy that injects only what a test scripts, and a deduper on it. */
  async function scripted(maxAttempts: number, extra: Partial<DeduperOptions> = {}) {
    faulty = await startFaultyStore({
      target: dynamodbEndpoint(),
      tableName: recordsTable,
      maxAttempts,
      faultRate: 0,
    });
    const clock = new ManualClock(Date.now());
    const tally = new EventTally();
    const deduper = createDeduper({
      store: faulty.store,
      namespace: `scripted-${randomUUID()}`,
      lease: LEASE_MS,
      clock,
      onEvent: tally.record,
      ...extra,
    });
    const record = (key: string) =>
      (faulty as FaultyStore).direct.get(deduper.storeKey(key), { now: clock.now() });
    return { proxy: faulty.proxy, clock, tally, deduper, record };
  }

  describe('a claim applied but unseen (reset after forwarding the PutItem)', () => {
    it('without SDK retries: the claim fails, the redelivery waits out the orphaned lease, then takes over; the effect runs once', async () => {
      const { proxy, clock, tally, deduper, record } = await scripted(1);
      let effects = 0;
      const handler = () => {
        effects++;
      };
      proxy.injectNext('reset-after', 'PutItem');

      const failed = deduper.run('k', handler);
      await expect(failed).rejects.toBeInstanceOf(StoreError);
      await expect(failed).rejects.toMatchObject({ operation: 'claim', retryable: true });
      // The claim landed: an IN_PROGRESS record whose token nobody holds.
      expect(await record('k')).toMatchObject({ status: 'IN_PROGRESS' });

      // The redelivery finds that live lease and must wait for it: no one can release it.
      const waiting = deduper.run('k', handler);
      await expect(waiting).rejects.toBeInstanceOf(InProgressError);
      await expect(waiting).rejects.toMatchObject({ retryAfterMs: LEASE_MS });

      clock.advance(LEASE_MS);
      await expect(deduper.run('k', handler)).resolves.toMatchObject({ status: 'processed' });
      expect(effects).toBe(1);
      // Reported as a takeover (it cannot tell that no effect ran before), never hidden.
      expect(tally.takeovers.get('k')).toBe(1);
      expect(await record('k')).toMatchObject({ status: 'COMPLETED' });
    });

    it('with SDK retries: the retry meets its own claim, knows its token, and runs at once; reported as a possible takeover', async () => {
      const { proxy, tally, deduper, record } = await scripted(3);
      let effects = 0;
      const handler = () => {
        effects++;
      };
      proxy.injectNext('reset-after', 'PutItem');

      // The SDK resends the same PutItem (same token); its condition fails on the record the
      // first attempt wrote, and the store recognises its own token: no wait for its own lease.
      await expect(deduper.run('k', handler)).resolves.toMatchObject({ status: 'processed' });
      expect(proxy.stats().byOperation.PutItem).toEqual({ 'reset-after': 1 });
      expect(effects).toBe(1);
      expect(tally.takeovers.get('k')).toBe(1);
      expect(await record('k')).toMatchObject({ status: 'COMPLETED' });
    });
  });

  describe('a completion that fails', () => {
    it('lost before it lands, once: the deduper retries the fenced completion and it lands; the effect ran once', async () => {
      const { proxy, deduper, record } = await scripted(1);
      let effects = 0;
      proxy.injectNext('reset-before', 'UpdateItem');

      await expect(deduper.run('k', () => effects++)).resolves.toMatchObject({
        status: 'processed',
      });
      expect(proxy.stats().byOperation.UpdateItem).toEqual({ 'reset-before': 1 });
      expect(await record('k')).toMatchObject({ status: 'COMPLETED' });
      expect(effects).toBe(1);
    });

    it('lost on every retry: the record stays IN_PROGRESS, and after the lease the effect runs again, explained by the takeover', async () => {
      const { proxy, clock, tally, deduper, record } = await scripted(1);
      const effects: string[] = [];
      const handler = () => {
        effects.push('k');
      };
      // The first send and the deduper's five retries.
      for (let i = 0; i < 6; i++) proxy.injectNext('reset-before', 'UpdateItem');

      const failed = deduper.run('k', handler);
      await expect(failed).rejects.toMatchObject({ name: 'StoreError', operation: 'complete' });
      expect(proxy.stats().byOperation.UpdateItem).toEqual({ 'reset-before': 6 });
      expect(await record('k')).toMatchObject({ status: 'IN_PROGRESS' });
      await expect(deduper.run('k', handler)).rejects.toBeInstanceOf(InProgressError);

      clock.advance(LEASE_MS);
      await expect(deduper.run('k', handler)).resolves.toMatchObject({ status: 'processed' });
      expect(effects).toHaveLength(2);
      const verdict = judge(
        'normal',
        ['k'],
        effects.map((key) => ({ key })),
        tally,
      );
      expect(verdict).toMatchObject({ duplicated: 1, explained: 1, unexplained: 0, ok: true });
    });

    it('applied but unseen: the retried completion still owns the record and succeeds; the effect ran once', async () => {
      const { proxy, deduper, record } = await scripted(1);
      let effects = 0;
      proxy.injectNext('reset-after', 'UpdateItem');

      await expect(deduper.run('k', () => effects++)).resolves.toMatchObject({
        status: 'processed',
      });
      expect(await record('k')).toMatchObject({ status: 'COMPLETED' });
      await expect(deduper.run('k', () => effects++)).resolves.toMatchObject({
        status: 'duplicate',
      });
      expect(effects).toBe(1);
    });

    it('applied but unseen, with SDK retries: the retried completion still owns the record and succeeds', async () => {
      const { proxy, deduper } = await scripted(3);
      let effects = 0;
      proxy.injectNext('reset-after', 'UpdateItem');

      await expect(deduper.run('k', () => effects++)).resolves.toMatchObject({
        status: 'processed',
      });
      expect(effects).toBe(1);
    });
  });

  describe('a release that fails after the handler threw', () => {
    const failing = () => {
      throw new PlannedFailure('before the effect');
    };

    it('lost before it lands: the handler error still surfaces, and the key waits for its lease', async () => {
      const { proxy, clock, tally, deduper } = await scripted(1);
      proxy.injectNext('reset-before', 'DeleteItem');

      // The handler's own error, not the store's: the release failure only delays the retry.
      await expect(deduper.run('k', failing)).rejects.toBeInstanceOf(PlannedFailure);
      await expect(deduper.run('k', () => 'ok')).rejects.toBeInstanceOf(InProgressError);
      clock.advance(LEASE_MS);
      await expect(deduper.run('k', () => 'ok')).resolves.toMatchObject({ status: 'processed' });
      expect(tally.count('store_error')).toBe(1);
      expect(tally.takeovers.get('k')).toBe(1);
    });

    it('applied but unseen: the key is free at once', async () => {
      const { proxy, tally, deduper } = await scripted(1);
      proxy.injectNext('reset-after', 'DeleteItem');

      await expect(deduper.run('k', failing)).rejects.toBeInstanceOf(PlannedFailure);
      await expect(deduper.run('k', () => 'ok')).resolves.toMatchObject({ status: 'processed' });
      expect(tally.totalTakeovers).toBe(0);
    });

    it('applied but unseen, with SDK retries: the retried delete finds nothing, reported as a lease lost that repeated no effect', async () => {
      const { proxy, tally, deduper } = await scripted(3);
      proxy.injectNext('reset-after', 'DeleteItem');

      await expect(deduper.run('k', failing)).rejects.toBeInstanceOf(PlannedFailure);
      expect(tally.count('lease_lost')).toBe(1);
      expect(tally.totalLeaseLost).toBe(0);
      await expect(deduper.run('k', () => 'ok')).resolves.toMatchObject({ status: 'processed' });
    });
  });

  describe('transactional mode: a commit that fails', () => {
    async function ledgerCount(key: string): Promise<number> {
      return countByKey(await readLedger(admin, ledgerTable)).get(key) ?? 0;
    }

    /** A fresh key, and a handler that adds its ledger effect to the commit. */
    function ledgerRun() {
      const key = `tx-${randomUUID()}`;
      const handler = (context: RunContext) => {
        dynamoTransaction(context).put(effectPut(ledgerTable, key, 'test'));
      };
      return { key, handler };
    }

    it('applied but unseen: the effect and the record landed together; the redelivery is a duplicate', async () => {
      const { proxy, deduper, record } = await scripted(1, { transactional: true });
      const { key, handler } = ledgerRun();
      proxy.injectNext('reset-after', 'TransactWriteItems');

      await expect(deduper.run(key, handler)).rejects.toMatchObject({ operation: 'commit' });
      expect(await record(key)).toMatchObject({ status: 'COMPLETED' });
      await expect(deduper.run(key, handler)).resolves.toMatchObject({ status: 'duplicate' });
      expect(await ledgerCount(key)).toBe(1);
    });

    it('applied but unseen, with SDK retries: the resent transaction (same client token) does not apply twice', async () => {
      const { proxy, deduper } = await scripted(3, { transactional: true });
      const { key, handler } = ledgerRun();
      proxy.injectNext('reset-after', 'TransactWriteItems');

      const outcome = await deduper.run(key, handler);
      // DynamoDB answers a resent token with the first call's success (idempotent for 10 minutes).
      expect(outcome.status).toBe('processed');
      expect(proxy.stats().byOperation.TransactWriteItems).toEqual({ 'reset-after': 1 });
      expect(await ledgerCount(key)).toBe(1);
    });

    it('throttled: nothing was written, and the redelivery commits the effect once', async () => {
      const { proxy, deduper, record } = await scripted(1, { transactional: true });
      const { key, handler } = ledgerRun();
      proxy.injectNext('throttle', 'TransactWriteItems');

      await expect(deduper.run(key, handler)).rejects.toMatchObject({
        operation: 'commit',
        retryable: true,
      });
      expect(await record(key)).toBeUndefined();
      await expect(deduper.run(key, handler)).resolves.toMatchObject({ status: 'processed' });
      expect(await ledgerCount(key)).toBe(1);
    });
  });

  describe('many messages under random faults (20% of requests)', () => {
    // Normal mode batches its claims and completions, so 150 messages make only 30 to 70
    // requests (most of them BatchExecuteStatement): too few for every kind in every run.
    // The transactional runs (a request per message) reach every whole-request kind, and
    // the normal runs per-statement errors, each checked over the runs together below.
    const configs: { mode: RunMode; maxAttempts: number; seed: number }[] = [
      { mode: 'normal', maxAttempts: 1, seed: 9 },
      { mode: 'normal', maxAttempts: 3, seed: 3 },
      { mode: 'transactional', maxAttempts: 1, seed: 18 },
      { mode: 'transactional', maxAttempts: 3, seed: 10 },
    ];

    const reached = new Map<FaultKind, number>();
    let statementErrors = 0;

    for (const { mode, maxAttempts, seed } of configs) {
      it(`${mode} mode, SDK maxAttempts ${maxAttempts}: nothing acknowledged without its record, nothing lost, every duplicate explained`, async () => {
        const result = await runStoreFaultScenario({
          dynamodbEndpoint: dynamodbEndpoint(),
          mode,
          maxAttempts,
          seed,
          // Normal mode makes few requests (batches): more messages, so its runs meet
          // per-statement faults without depending on one interleaving.
          messages: mode === 'normal' ? 300 : 150,
        });
        const { verdict, workload, faults } = result;
        console.log(
          `store faults, ${mode}, maxAttempts ${maxAttempts}: ${describeStoreFaultRun(result)}`,
        );

        expect(workload.acknowledgedWithoutRecord).toEqual([]);
        expect(workload.unacknowledged).toBe(0);
        expect(verdict.lost).toEqual([]);
        expect(verdict.unexplained).toBe(0);
        expect(verdict.ok).toBe(true);
        if (mode === 'transactional') expect(verdict.duplicated).toBe(0);
        // Every claim that landed unseen left a lease no one held: its key could only
        // complete through a takeover.
        expect(result.orphanedClaimsNotTakenOver).toBe(0);
        // The run really was faulty: its batches too, statement by statement.
        expect(faults.totalInjected).toBeGreaterThan(0);
        if (mode === 'normal') expect(faults.byOperation.BatchExecuteStatement).toBeDefined();
        statementErrors += faults.statementErrors;
        for (const kind of FAULT_KINDS)
          reached.set(kind, (reached.get(kind) ?? 0) + faults.injected[kind]);
      });
    }

    it('the runs together reached every whole-request kind of fault, and failed statements inside batches', () => {
      for (const kind of FAULT_KINDS) {
        if (!STATEMENT_FAULT_KINDS.includes(kind)) expect(reached.get(kind)).toBeGreaterThan(0);
      }
      // Which statements fail depends on how the batches fell in each run; the normal runs
      // together always meet some (the scripted per-statement tests pin each case).
      expect(statementErrors).toBeGreaterThan(0);
    });
  });
});
