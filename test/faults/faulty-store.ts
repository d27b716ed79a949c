/**
 * A DynamoDBStore whose every request passes the fault proxy, next to a direct store
 * on the same table for checking what really landed.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStore } from '@oncely/dynamodb';
import { localDynamo } from '../chaos/local-aws.js';
import {
  type FaultProxy,
  type FaultProxyOptions,
  startDynamoDBFaultProxy,
} from './dynamodb-fault-proxy.js';

/** Options of {@link startFaultyStore}. */
export interface FaultyStoreOptions extends FaultProxyOptions {
  readonly tableName: string;
  /** The SDK's `maxAttempts`: 1 makes every fault surface; more lets the SDK retry. */
  readonly maxAttempts: number;
  /**
   * The client's request timeout, in ms: a latency spike past it becomes a timeout
   * while the request still lands. @default no timeout
   */
  readonly requestTimeoutMs?: number;
}

/** A store behind the proxy, and the means to look behind it. */
export interface FaultyStore {
  readonly proxy: FaultProxy;
  /** The client that goes through the proxy (for transactional effects, too). */
  readonly client: DynamoDBClient;
  /** The store under test, through the proxy. */
  readonly store: DynamoDBStore;
  /** The same table, read directly: what really landed. */
  readonly direct: DynamoDBStore;
  close(): Promise<void>;
}

/**
 * Starts a proxy and a store behind it.
 *
 * @example
 * const faulty = await startFaultyStore({ target, tableName, maxAttempts: 1, faultRate: 0 });
 * faulty.proxy.injectNext('reset-after', 'PutItem');
 */
export async function startFaultyStore(options: FaultyStoreOptions): Promise<FaultyStore> {
  const { tableName, maxAttempts, requestTimeoutMs, ...proxyOptions } = options;
  const proxy = await startDynamoDBFaultProxy(proxyOptions);
  const client = localDynamo(proxy.endpoint, {
    maxAttempts,
    ...(requestTimeoutMs === undefined
      ? {}
      : { requestHandler: { requestTimeout: requestTimeoutMs, throwOnRequestTimeout: true } }),
  });
  const directClient = localDynamo(proxyOptions.target);
  return {
    proxy,
    client,
    store: new DynamoDBStore({ client, tableName }),
    direct: new DynamoDBStore({ client: directClient, tableName }),
    async close() {
      client.destroy();
      directClient.destroy();
      await proxy.close();
    },
  };
}
