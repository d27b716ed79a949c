import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createAdaptorServer } from '@hono/node-server';
import type { OncelyEvent } from '@oncely/core';
import { createTable, DynamoDBStore } from '@oncely/dynamodb';
import { createReceiverApp } from './app.js';
import { Fulfilment } from './fulfilment.js';

/** Options of {@link startReceiver}. */
export interface StartOptions {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  readonly stripeSecret: string;
  readonly standardSecret: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** Create the table first (development and tests; use infrastructure as code in production). */
  readonly createTable?: boolean;
  readonly onEvent?: (event: OncelyEvent) => void;
}

/** A running receiver. */
export interface RunningReceiver {
  /** e.g. `http://127.0.0.1:3000` */
  readonly url: string;
  readonly fulfilment: Fulfilment;
  close(): Promise<void>;
}

/** Starts the Hono app on Node, with DynamoDB as the dedup store. */
export async function startReceiver(options: StartOptions): Promise<RunningReceiver> {
  const { client, tableName } = options;
  if (options.createTable) await createTable(client, { tableName });
  const fulfilment = new Fulfilment();
  const app = createReceiverApp({
    store: new DynamoDBStore({ client, tableName }),
    stripeSecret: options.stripeSecret,
    standardSecret: options.standardSecret,
    fulfilment,
    ...(options.onEvent ? { onEvent: options.onEvent } : {}),
  });
  const server = createAdaptorServer({ fetch: app.fetch }) as Server;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    fulfilment,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
