import { randomUUID } from 'node:crypto';
import { type DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { Message } from '@aws-sdk/client-sqs';

/** The message producers send: an order to ship. */
export interface Order {
  /** The producer's ID for the order: the same on every retry of the same send. */
  readonly orderId: string;
  readonly sku: string;
  readonly quantity: number;
}

/** Reads an order from a message body; a malformed one throws (and, after retries, goes to the DLQ). */
export function orderOf(message: Message): Order {
  const order = JSON.parse(message.Body ?? '') as Partial<Order>;
  if (typeof order.sku !== 'string' || !Number.isInteger(order.quantity)) {
    throw new TypeError(`message ${message.MessageId} is not an order`);
  }
  return order as Order;
}

/**
 * Books a shipment. Each call writes a new shipment with a new ID: run twice, the
 * order ships twice. That is the effect oncely keeps to once per `orderId`.
 */
export async function bookShipment(
  client: DynamoDBClient,
  tableName: string,
  order: Order,
): Promise<string> {
  const shipmentId = randomUUID();
  await client.send(
    new PutItemCommand({
      TableName: tableName,
      Item: {
        shipmentId: { S: shipmentId },
        orderId: { S: order.orderId },
        sku: { S: order.sku },
        quantity: { N: String(order.quantity) },
      },
    }),
  );
  return shipmentId;
}
