import {
  CreateTableCommand,
  DescribeTimeToLiveCommand,
  type DynamoDBClient,
  type KeySchemaElement,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { InvalidOptionError } from '@oncely/core';
import { describeValue } from '@oncely/core/adapter';
import { type DynamoDBStoreTableOptions, resolveTableOptions } from './options.js';

/**
 * Options of {@link createTable}: the store's table options, so one object can serve both.
 *
 * @example
 * const table = { tableName: 'app', attributes: { key: 'PK' }, sortKey: { name: 'SK', value: 'ONCELY' } };
 * await createTable(client, table);
 * const store = new DynamoDBStore({ client, ...table });
 */
export interface CreateTableOptions
  extends Pick<DynamoDBStoreTableOptions, 'tableName' | 'attributes' | 'sortKey'> {
  /**
   * How long to wait for the table to become ACTIVE, in seconds.
   * @default 120
   */
  readonly maxWaitSeconds?: number;
}

/**
 * Defaults of {@link CreateTableOptions}.
 *
 * @example
 * await createTable(client, { tableName, maxWaitSeconds: CREATE_TABLE_DEFAULTS.maxWaitSeconds * 2 });
 */
export const CREATE_TABLE_DEFAULTS = { maxWaitSeconds: 120 } as const;

/**
 * What {@link createTable} did.
 *
 * @example
 * const { created } = await createTable(client, { tableName: 'oncely' });
 */
export interface CreateTableResult {
  /** False when the table existed already (with the expected key schema). */
  readonly created: boolean;
  /** False when TTL was already enabled on the expiry attribute. */
  readonly ttlEnabled: boolean;
}

/**
 * Creates a table for {@link DynamoDBStore}, for development and tests: on-demand
 * billing, the key schema from the store's options, and TTL on the expiry attribute
 * so DynamoDB eventually deletes expired records (oncely never relies on it: expiry
 * is checked in every condition). Waits until the table is ACTIVE. Idempotent: an
 * existing table with the same key schema is left as it is. For production, prefer
 * infrastructure as code (see the README's CloudFormation snippet).
 *
 * @example
 * const client = new DynamoDBClient({ endpoint: 'http://127.0.0.1:8000' });
 * await createTable(client, { tableName: 'oncely' });
 * const store = new DynamoDBStore({ client, tableName: 'oncely' });
 */
export async function createTable(
  client: DynamoDBClient,
  options: CreateTableOptions,
): Promise<CreateTableResult> {
  const { tableName, attributes, sortKey } = resolveTableOptions(options);
  const maxWaitSeconds = options.maxWaitSeconds ?? CREATE_TABLE_DEFAULTS.maxWaitSeconds;
  if (
    !(typeof maxWaitSeconds === 'number' && Number.isFinite(maxWaitSeconds) && maxWaitSeconds > 0)
  ) {
    throw new InvalidOptionError(
      'maxWaitSeconds',
      `expected a positive number of seconds, got ${describeValue(maxWaitSeconds)}`,
    );
  }
  const keySchema: KeySchemaElement[] = [{ AttributeName: attributes.key, KeyType: 'HASH' }];
  if (sortKey) keySchema.push({ AttributeName: sortKey.name, KeyType: 'RANGE' });
  let created = true;
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: keySchema,
        AttributeDefinitions: keySchema.map(({ AttributeName }) => ({
          AttributeName,
          AttributeType: 'S',
        })),
      }),
    );
  } catch (error) {
    // ResourceInUseException: the table exists or is being created; wait for it like ours.
    if ((error as { name?: unknown } | null)?.name !== 'ResourceInUseException') throw error;
    created = false;
  }
  const waited = await waitUntilTableExists(
    { client, maxWaitTime: maxWaitSeconds, minDelay: 1, maxDelay: 5 },
    { TableName: tableName },
  );
  const existing = waited.reason?.Table?.KeySchema;
  if (!created && existing && !sameKeySchema(existing, keySchema)) {
    throw new InvalidOptionError(
      'tableName',
      `table "${tableName}" exists with key schema ${formatKeySchema(existing)}, but the options need ${formatKeySchema(keySchema)}`,
    );
  }
  const ttlEnabled = await enableTtl(client, tableName, attributes.expiresAt);
  return { created, ttlEnabled };
}

async function enableTtl(
  client: DynamoDBClient,
  tableName: string,
  attribute: string,
): Promise<boolean> {
  const { TimeToLiveDescription: ttl } = await client.send(
    new DescribeTimeToLiveCommand({ TableName: tableName }),
  );
  const status = ttl?.TimeToLiveStatus ?? 'DISABLED';
  if (status === 'DISABLED') {
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: attribute, Enabled: true },
      }),
    );
    return true;
  }
  if ((status === 'ENABLED' || status === 'ENABLING') && ttl?.AttributeName === attribute)
    return false;
  throw new InvalidOptionError(
    'attributes.expiresAt',
    `table "${tableName}" has TTL ${status} on attribute "${ttl?.AttributeName}", expected it enabled on "${attribute}"`,
  );
}

function sameKeySchema(a: readonly KeySchemaElement[], b: readonly KeySchemaElement[]): boolean {
  return formatKeySchema(a) === formatKeySchema(b);
}

function formatKeySchema(schema: readonly KeySchemaElement[]): string {
  return schema
    .map(({ AttributeName, KeyType }) => `${AttributeName} (${KeyType})`)
    .sort()
    .join(', ');
}
