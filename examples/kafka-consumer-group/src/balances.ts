import { type DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import type { RunContext } from '@oncely/core';
import { dynamoTransaction } from '@oncely/dynamodb';

/** A payment event on the topic. */
export interface Payment {
  readonly paymentId: string;
  readonly account: string;
  readonly amountCents: number;
}

/** Parses a payment; throws on a value that is not one (the handler's error stops the partition). */
export function parsePayment(value: Buffer | string | null): Payment {
  const payment = JSON.parse(String(value)) as Partial<Payment>;
  if (
    typeof payment.paymentId !== 'string' ||
    typeof payment.account !== 'string' ||
    !Number.isInteger(payment.amountCents)
  ) {
    throw new TypeError(`not a payment: ${String(value)}`);
  }
  return payment as Payment;
}

/**
 * The consumer's effect: credit the account and record the payment, as writes added
 * to the oncely transaction, so they commit together with the dedup record: exactly
 * once, or not at all.
 */
export function applyPayment(context: RunContext, balancesTable: string, payment: Payment): void {
  dynamoTransaction(context)
    .update({
      TableName: balancesTable,
      Key: { pk: { S: `account#${payment.account}` } },
      UpdateExpression: 'ADD #balance :amount, #applied :one',
      ExpressionAttributeNames: { '#balance': 'balanceCents', '#applied': 'paymentsApplied' },
      ExpressionAttributeValues: {
        ':amount': { N: String(payment.amountCents) },
        ':one': { N: '1' },
      },
    })
    .put({
      TableName: balancesTable,
      Item: {
        pk: { S: `payment#${payment.paymentId}` },
        account: { S: payment.account },
        amountCents: { N: String(payment.amountCents) },
      },
    });
}

/** What the balances table holds: per account, the balance and how many payments were applied. */
export async function readBalances(
  client: DynamoDBClient,
  balancesTable: string,
): Promise<{
  accounts: Record<string, { balanceCents: number; paymentsApplied: number }>;
  payments: string[];
}> {
  const accounts: Record<string, { balanceCents: number; paymentsApplied: number }> = {};
  const payments: string[] = [];
  let ExclusiveStartKey: Record<string, never> | undefined;
  do {
    const page = await client.send(
      new ScanCommand({ TableName: balancesTable, ConsistentRead: true, ExclusiveStartKey }),
    );
    for (const item of page.Items ?? []) {
      const pk = String(item.pk?.S);
      if (pk.startsWith('account#')) {
        accounts[pk.slice('account#'.length)] = {
          balanceCents: Number(item.balanceCents?.N ?? 0),
          paymentsApplied: Number(item.paymentsApplied?.N ?? 0),
        };
      } else if (pk.startsWith('payment#')) {
        payments.push(pk.slice('payment#'.length));
      }
    }
    ExclusiveStartKey = page.LastEvaluatedKey as typeof ExclusiveStartKey;
  } while (ExclusiveStartKey);
  return { accounts, payments: payments.sort() };
}
