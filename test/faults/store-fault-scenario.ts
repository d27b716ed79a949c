/**
 * The store-fault run: many messages through a deduper whose DynamoDBStore sits behind
 * the fault proxy, judged like a chaos run. Used by the integration test and by
 * `npm run chaos`.
 */
import { randomUUID } from 'node:crypto';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { createDeduper } from '@oncely/core';
import { createTable, dynamoTransaction } from '@oncely/dynamodb';
import { EventTally } from '../chaos/event-tally.js';
import { createLedgerTable, effectPut, readLedger, writeEffect } from '../chaos/ledger.js';
import { localDynamo } from '../chaos/local-aws.js';
import { judge, type RunMode, type Verdict } from '../chaos/verdict.js';
import {
  appliedButUnseenStatements,
  type FaultStats,
  type InjectedFault,
  isAppliedButUnseen,
} from './dynamodb-fault-proxy.js';
import { type FaultWorkloadReport, runFaultWorkload } from './fault-workload.js';
import { startFaultyStore } from './faulty-store.js';
import { seededRandom } from './seeded-random.js';

/** Options of {@link runStoreFaultScenario}. */
export interface StoreFaultScenarioOptions {
  /** DynamoDB Local's endpoint (the proxy goes in front of it). */
  readonly dynamodbEndpoint: string;
  readonly mode: RunMode;
  /** The SDK's `maxAttempts`: 1 makes every fault surface. */
  readonly maxAttempts: number;
  readonly messages: number;
  readonly seed: number;
  /** @default 0.2 */
  readonly faultRate?: number;
  /** @default 8 */
  readonly consumers?: number;
  /** Messages per delivered batch, as SQS hands a Lambda function. @default 10 */
  readonly batchSize?: number;
  /** The lease, and the queue's visibility timeout. @default 1000 */
  readonly leaseMs?: number;
  /** @default 120_000 */
  readonly deadlineMs?: number;
}

/** What a store-fault run saw, and its verdict. */
export interface StoreFaultScenarioResult {
  readonly verdict: Verdict;
  readonly workload: FaultWorkloadReport;
  readonly faults: FaultStats;
  readonly tally: EventTally;
  /**
   * Claims that landed while their client saw an error (an owner-less IN_PROGRESS
   * record) and whose key was never taken over afterwards: a key could only complete
   * through a takeover of such a record, so this must be 0.
   */
  readonly orphanedClaimsNotTakenOver: number;
  readonly orphanedClaims: number;
}

/**
 * Runs the workload against fresh tables and deletes them afterwards.
 *
 * @example
 * const { verdict } = await runStoreFaultScenario({ dynamodbEndpoint, mode: 'normal', maxAttempts: 1, messages: 150, seed: 1 });
 */
export async function runStoreFaultScenario(
  options: StoreFaultScenarioOptions,
): Promise<StoreFaultScenarioResult> {
  const { mode, maxAttempts, seed } = options;
  const leaseMs = options.leaseMs ?? 1_000;
  const suffix = randomUUID().slice(0, 8);
  const recordsTable = `store-faults-${suffix}`;
  const ledgerTable = `store-faults-ledger-${suffix}`;
  const admin = localDynamo(options.dynamodbEndpoint);
  await createTable(admin, { tableName: recordsTable });
  await createLedgerTable(admin, ledgerTable);
  const faulty = await startFaultyStore({
    target: options.dynamodbEndpoint,
    tableName: recordsTable,
    maxAttempts,
    seed,
    faultRate: options.faultRate ?? 0.2,
    latencyMs: [200, 1_500],
    // Spikes past this become timeouts whose request still lands, later.
    requestTimeoutMs: 1_000,
  });
  try {
    const tally = new EventTally();
    const deduper = createDeduper({
      store: faulty.store,
      namespace: `faults-${mode}`,
      lease: leaseMs,
      transactional: mode === 'transactional',
      onEvent: tally.record,
    });
    const keys = Array.from({ length: options.messages }, (_, i) => `m-${i}`);
    const workload = await runFaultWorkload({
      deduper,
      keys,
      consumers: options.consumers ?? 8,
      batchSize: options.batchSize ?? 10,
      visibilityMs: leaseMs,
      throwRate: 0.1,
      random: seededRandom(seed),
      effect: async (key, context) => {
        if (mode === 'transactional') {
          dynamoTransaction(context).put(effectPut(ledgerTable, key, 'consumer'));
        } else {
          await writeEffect(admin, ledgerTable, key, 'consumer');
        }
      },
      isCompleted: async (key) =>
        (await faulty.direct.get(deduper.storeKey(key), { now: Date.now() }))?.status ===
        'COMPLETED',
      deadlineMs: options.deadlineMs ?? 120_000,
    });
    const verdict = judge(mode, keys, await readLedger(admin, ledgerTable), tally);
    const keyOf = new Map(keys.map((key) => [deduper.storeKey(key), key]));
    const orphaned = faulty.proxy.log.flatMap(orphanedClaims);
    const notTakenOver = orphaned.filter(
      (storeKey) => (tally.takeovers.get(keyOf.get(storeKey) ?? '') ?? 0) === 0,
    );
    return {
      verdict,
      workload,
      faults: faulty.proxy.stats(),
      tally,
      orphanedClaims: orphaned.length,
      orphanedClaimsNotTakenOver: notTakenOver.length,
    };
  } finally {
    await faulty.close();
    for (const TableName of [recordsTable, ledgerTable]) {
      await admin.send(new DeleteTableCommand({ TableName })).catch(() => undefined);
    }
    admin.destroy();
  }
}

/**
 * The store keys of claims a fault left applied but unseen: a single claim's `PutItem`,
 * or a batch's claim statements (its `INSERT`s, and its takeover `UPDATE`s, the ones
 * asking for the old item) that DynamoDB applied while the client saw an error.
 */
function orphanedClaims(fault: InjectedFault): string[] {
  if (fault.operation === 'PutItem') {
    return isAppliedButUnseen(fault) && fault.key !== undefined ? [fault.key] : [];
  }
  return appliedButUnseenStatements(fault)
    .filter((s) => /^INSERT\b|RETURNING ALL OLD \*/.test(s.statement) && s.key !== undefined)
    .map((s) => s.key as string);
}

/** One line about a store-fault run, for logs. */
export function describeStoreFaultRun(result: StoreFaultScenarioResult): string {
  const { verdict, workload, faults, tally } = result;
  return (
    `${verdict.keys} messages, ${workload.deliveries} deliveries (${workload.redeliveries} redeliveries), ` +
    `${verdict.effects} effects, ${verdict.lost.length} lost, ` +
    `${verdict.duplicated} duplicated (${verdict.explained} explained / ${verdict.unexplained} unexplained), ` +
    `${faults.totalInjected} faults in ${faults.requests} requests ${JSON.stringify(faults.injected)}, ` +
    `${faults.appliedButUnseen} applied but unseen (${result.orphanedClaims} claims), ` +
    `${faults.statementErrors} statement errors (${faults.statementsAppliedButUnseen} statements applied but unseen), ` +
    `${tally.totalTakeovers} takeovers, failures ${JSON.stringify(Object.fromEntries(workload.failures))}`
  );
}
