import {
  BatchGetItemCommand,
  type BatchGetItemCommandOutput,
  type DynamoDBClient,
  type KeysAndAttributes,
} from '@aws-sdk/client-dynamodb';
import type { MemoryEffect, RunContext } from '@oncely/core';
import { dynamoTransaction } from '@oncely/dynamodb';
import type { PostgresStore } from '@oncely/postgres';
import type pg from 'pg';
import { CardProcessor } from './payments.js';
import type { Payment } from './plan.js';

/**
 * Where transactional mode records a charge: a write in the same store as oncely's
 * record, handed to `context.addEffect`, so the charge and the record commit together
 * or not at all. Each store takes its own kind of effect.
 */
export interface Ledger {
  /** Adds the payment's charge to this run's commit (transactional mode only). */
  addCharge(context: RunContext, payment: Payment): void;
  /** Charges committed per payment ID (payments never charged are absent). */
  charges(paymentIds: readonly string[]): Promise<ReadonlyMap<string, number>>;
}

/**
 * The in-memory ledger for `MemoryStore`, whose `commit` runs function effects
 * atomically with the record.
 */
export function memoryLedger(): Ledger {
  const book = new CardProcessor();
  return {
    addCharge(context, payment) {
      const effect: MemoryEffect = () => book.charge(payment);
      context.addEffect(effect);
    },
    charges: async () => book.charges(),
  };
}

/** Where a DynamoDB ledger lives. */
export interface DynamoLedgerOptions {
  readonly client: DynamoDBClient;
  /** A table with a string partition key `pk`. */
  readonly tableName: string;
}

/**
 * A DynamoDB ledger for `DynamoDBStore`: one item per payment whose `charges` counter
 * is incremented by an `Update` that `DynamoDBStore.commit` puts in the same
 * `TransactWriteItems` as the record. `ADD` is not idempotent, so a double commit
 * would show as 2.
 */
export function dynamoLedger({ client, tableName }: DynamoLedgerOptions): Ledger {
  return {
    addCharge(context, payment) {
      dynamoTransaction(context).update({
        TableName: tableName,
        Key: { pk: { S: payment.paymentId } },
        UpdateExpression: 'ADD charges :one, amountCents :amount',
        ExpressionAttributeValues: {
          ':one': { N: '1' },
          ':amount': { N: String(payment.amountCents) },
        },
      });
    },
    async charges(paymentIds) {
      const counts = new Map<string, number>();
      // BatchGetItem reads at most 100 keys per request, and may leave some for later.
      for (let start = 0; start < paymentIds.length; start += 100) {
        let pending: Record<string, KeysAndAttributes> | undefined = {
          [tableName]: {
            Keys: paymentIds.slice(start, start + 100).map((id) => ({ pk: { S: id } })),
            ConsistentRead: true,
          },
        };
        while (pending && Object.keys(pending).length > 0) {
          const read: BatchGetItemCommandOutput = await client.send(
            new BatchGetItemCommand({ RequestItems: pending }),
          );
          for (const item of read.Responses?.[tableName] ?? []) {
            counts.set(item.pk?.S ?? '', Number(item.charges?.N ?? 0));
          }
          pending = read.UnprocessedKeys;
        }
      }
      return counts;
    },
  };
}

/** Where a PostgreSQL ledger lives. */
export interface PostgresLedgerOptions {
  readonly pool: pg.Pool;
  /** The store whose transactions commit the charges. */
  readonly store: PostgresStore<pg.PoolClient>;
  /** The ledger table, quoted and qualified as it goes into SQL; created if missing. */
  readonly table: string;
}

/**
 * A PostgreSQL ledger for `PostgresStore`: one row per payment whose `charges` counter an
 * upsert increments, added through `store.transaction(ctx)`, so it runs in the same
 * transaction as the COMPLETED record and commits with it or not at all. The increment is
 * not idempotent, so a double commit would show as 2.
 */
export async function postgresLedger({
  pool,
  store,
  table,
}: PostgresLedgerOptions): Promise<Ledger> {
  await pool.query(
    `CREATE TABLE IF NOT EXISTS ${table} (payment_id text PRIMARY KEY, charges int NOT NULL, amount_cents bigint NOT NULL)`,
  );
  return {
    addCharge(context, payment) {
      store.transaction(context).query(
        `INSERT INTO ${table} AS l (payment_id, charges, amount_cents) VALUES ($1, 1, $2)
           ON CONFLICT (payment_id) DO UPDATE SET charges = l.charges + 1, amount_cents = l.amount_cents + $2`,
        [payment.paymentId, payment.amountCents],
      );
    },
    async charges(paymentIds) {
      const { rows } = await pool.query<{ payment_id: string; charges: number }>(
        `SELECT payment_id, charges FROM ${table} WHERE payment_id = ANY($1)`,
        [[...paymentIds]],
      );
      return new Map(rows.map((row) => [row.payment_id, row.charges]));
    },
  };
}
