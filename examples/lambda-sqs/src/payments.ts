import { type DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { SQSRecord } from 'aws-lambda';

/** The message producers send: one payment to credit to a customer. */
export interface Payment {
  /** The producer's ID for the payment: the same on every retry of the same payment. */
  readonly paymentId: string;
  readonly customerId: string;
  readonly amountCents: number;
}

/** Reads a payment from a record's body; a malformed one throws (and goes to the DLQ). */
export function paymentOf(record: SQSRecord): Payment {
  const payment = JSON.parse(record.body) as Partial<Payment>;
  if (typeof payment.customerId !== 'string' || !Number.isInteger(payment.amountCents)) {
    throw new TypeError(`message ${record.messageId} is not a payment`);
  }
  return payment as Payment;
}

/**
 * Credits the payment to the customer's balance. `ADD` is not idempotent: run twice, it
 * credits twice. That is the effect oncely keeps to once per `paymentId`.
 */
export async function creditBalance(
  client: DynamoDBClient,
  tableName: string,
  payment: Payment,
): Promise<void> {
  await client.send(
    new UpdateItemCommand({
      TableName: tableName,
      Key: { customerId: { S: payment.customerId } },
      UpdateExpression: 'ADD balanceCents :amount, payments :one',
      ExpressionAttributeValues: {
        ':amount': { N: String(payment.amountCents) },
        ':one': { N: '1' },
      },
    }),
  );
}
