import { randomUUID } from 'node:crypto';
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type CreateTableOptions, createTable } from '@oncely/dynamodb';

/**
 * A DynamoDB client for the local server: fixed region and dummy credentials, the
 * SDK's default keep-alive connection pool and retries, as an application would
 * configure it.
 *
 * @example
 * const client = benchDynamoClient('http://127.0.0.1:8000');
 */
export function benchDynamoClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
  });
}

/** Tables made for one scenario, dropped together at its end. */
export class BenchTables {
  private readonly names: string[] = [];

  constructor(
    private readonly client: DynamoDBClient,
    private readonly scenario: string,
  ) {}

  /**
   * Creates a uniquely named, empty on-demand table (TTL on the expiry attribute),
   * so contenders never share records and a rerun against a long-lived server
   * starts clean. `attributes` renames the key and expiry for other layouts
   * (Powertools: `{ key: 'id', expiresAt: 'expiration' }`).
   *
   * @example
   * const tableName = await tables.create('oncely');
   */
  async create(contender: string, attributes?: CreateTableOptions['attributes']): Promise<string> {
    const tableName = `bench-${this.scenario}-${contender}-${randomUUID().slice(0, 8)}`;
    await createTable(this.client, { tableName, ...(attributes ? { attributes } : {}) });
    this.names.push(tableName);
    return tableName;
  }

  /** Drops every table made here (DynamoDB Local keeps them in memory). */
  async dropAll(): Promise<void> {
    const names = this.names.splice(0);
    await Promise.allSettled(
      names.map((TableName) => this.client.send(new DeleteTableCommand({ TableName }))),
    );
  }
}
