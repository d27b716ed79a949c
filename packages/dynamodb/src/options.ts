import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { InvalidOptionError } from '@oncely/core';
import { checkObject, describeValue, nonEmptyString, optionalBoolean } from '@oncely/core/adapter';
import type { DynamoDBBatchOptions } from './batch-options.js';

/**
 * The item attributes a record is written to. Rename them to fit an existing table.
 *
 * @example
 * new DynamoDBStore({ client, tableName: 'app', attributes: { key: 'PK', expiresAt: 'ttl' } });
 */
export interface AttributeNames {
  /** The partition key, holding the store key (`namespace#key`). @default 'pk' */
  readonly key: string;
  /** `IN_PROGRESS` or `COMPLETED`. @default 'status' */
  readonly status: string;
  /** Epoch ms until which an `IN_PROGRESS` owner holds the record. @default 'leaseUntil' */
  readonly leaseUntil: string;
  /** Epoch seconds at which the dedup window ends: enable the table's TTL on it. @default 'expiresAt' */
  readonly expiresAt: string;
  /** The owner token that fences complete, release and extend. @default 'token' */
  readonly token: string;
  /** The payload fingerprint, when configured. @default 'fingerprint' */
  readonly fingerprint: string;
  /** The stored result, when kept. @default 'result' */
  readonly result: string;
}

/**
 * A sort key for tables with a composite primary key (single-table designs): every
 * record is written with this fixed sort-key value, while the store key stays in the
 * partition key, so records still spread over all partitions.
 *
 * @example
 * new DynamoDBStore({ client, tableName: 'app', sortKey: { name: 'SK', value: 'ONCELY#DEDUP' } });
 */
export interface SortKey {
  /** The table's sort-key attribute, e.g. `'sk'`. */
  readonly name: string;
  /** The value every oncely record carries in it, e.g. `'oncely'`. */
  readonly value: string;
}

/**
 * Where the store's client comes from: yours (`client`), one it makes from your
 * configuration (`clientConfig`), or, with neither, one it makes the way the AWS SDK
 * does by default (region and credentials from the environment, as on Lambda). The
 * `never` members make giving both a type error, not just a runtime one.
 *
 * @example
 * const mine: DynamoDBStoreClientOptions = { client: new DynamoDBClient({}) };
 * const made: DynamoDBStoreClientOptions = { clientConfig: { region: 'eu-west-1' } };
 * const fromEnvironment: DynamoDBStoreClientOptions = {};
 */
export type DynamoDBStoreClientOptions =
  | {
      /** A client you own and configure; the store never destroys it. */
      readonly client: DynamoDBClient;
      readonly clientConfig?: never;
    }
  | {
      readonly client?: never;
      /** Configuration for a client the store creates (and destroys in `close()`). */
      readonly clientConfig: DynamoDBClientConfig;
    }
  | {
      /** Neither: the store creates `new DynamoDBClient({})` (and destroys it in `close()`). */
      readonly client?: never;
      readonly clientConfig?: never;
    };

/**
 * The options of {@link DynamoDBStore} other than where its client comes from.
 *
 * @example
 * const table: DynamoDBStoreTableOptions = { tableName: 'oncely', consistentRead: false };
 */
export interface DynamoDBStoreTableOptions {
  /** The table that holds the records (see `createTable`). */
  readonly tableName: string;
  /**
   * Attribute names, each defaulting to {@link DYNAMODB_STORE_DEFAULTS}`.attributes`.
   * @default { key: 'pk', status: 'status', leaseUntil: 'leaseUntil', expiresAt: 'expiresAt', token: 'token', fingerprint: 'fingerprint', result: 'result' }
   */
  readonly attributes?: Partial<AttributeNames>;
  /**
   * A static sort key, for tables whose primary key has one.
   * @default undefined (the table has a partition key only)
   */
  readonly sortKey?: SortKey;
  /**
   * Read with `ConsistentRead` in `get` (the hot path never reads: claims are
   * conditional writes, which are always consistent).
   * @default true
   */
  readonly consistentRead?: boolean;
  /** How batches are sent (see {@link DynamoDBBatchOptions}). @default { maxStatementsPerRequest: 25, maxAttempts: 4 } */
  readonly batch?: DynamoDBBatchOptions;
}

/**
 * Options of {@link DynamoDBStore}: the table, and at most one of `client` and
 * `clientConfig` (with neither, a default client from the environment).
 *
 * @example
 * const options: DynamoDBStoreOptions = { tableName: 'oncely', clientConfig: { region: 'eu-west-1' } };
 */
export type DynamoDBStoreOptions = DynamoDBStoreTableOptions & DynamoDBStoreClientOptions;

/**
 * Defaults of {@link DynamoDBStoreOptions}, in one place.
 *
 * @example
 * DYNAMODB_STORE_DEFAULTS.attributes.expiresAt; // 'expiresAt': enable the table's TTL on it
 */
export const DYNAMODB_STORE_DEFAULTS = {
  attributes: {
    key: 'pk',
    status: 'status',
    leaseUntil: 'leaseUntil',
    expiresAt: 'expiresAt',
    token: 'token',
    fingerprint: 'fingerprint',
    result: 'result',
  } satisfies AttributeNames,
  sortKey: undefined,
  consistentRead: true,
} as const;

/** Options after validation. Internal. */
export interface ResolvedStoreOptions {
  readonly tableName: string;
  readonly client: DynamoDBClient;
  /** Whether the store created the client, and so must destroy it on close. */
  readonly ownsClient: boolean;
  readonly attributes: AttributeNames;
  readonly sortKey: SortKey | undefined;
  readonly consistentRead: boolean;
}

// DynamoDB's rules: 3-255 characters of [a-zA-Z0-9_.-].
const TABLE_NAME = /^[a-zA-Z0-9_.-]{3,255}$/;
// Attribute names may be up to 64 KB, but key attributes only 255 bytes: one rule for all.
const MAX_ATTRIBUTE_NAME_BYTES = 255;

/** Validates the table and attribute options (shared with `createTable`). Internal. */
export function resolveTableOptions(
  options: Pick<DynamoDBStoreTableOptions, 'tableName' | 'attributes' | 'sortKey'>,
): Pick<ResolvedStoreOptions, 'tableName' | 'attributes' | 'sortKey'> {
  checkObject('options', options);
  const tableName = resolveTableName(options.tableName);
  const attributes = resolveAttributes(options.attributes);
  const sortKey = resolveSortKey(options.sortKey, Object.values(attributes));
  return { tableName, attributes, sortKey };
}

/** Validates a table name against DynamoDB's rule (shared with the watermark store). Internal. */
export function resolveTableName(tableName: unknown): string {
  if (typeof tableName !== 'string' || !TABLE_NAME.test(tableName)) {
    throw new InvalidOptionError(
      'tableName',
      `expected 3-255 characters of a-z, A-Z, 0-9, '_', '-', '.', got ${describeValue(tableName)}`,
    );
  }
  return tableName;
}

/** Validates every option once, at construction; a bad one throws naming the option. */
export function resolveStoreOptions(options: DynamoDBStoreOptions): ResolvedStoreOptions {
  const table = resolveTableOptions(options);
  const { client, clientConfig } = options;
  // The types already refuse both; this is for JavaScript callers and casts.
  if (client !== undefined && clientConfig !== undefined) {
    throw new InvalidOptionError(
      'clientConfig',
      'give at most one of `client` (a DynamoDBClient) and `clientConfig`',
    );
  }
  if (client !== undefined) assertClient(client);
  if (clientConfig !== undefined) checkObject('clientConfig', clientConfig);
  const consistentRead = optionalBoolean(
    'consistentRead',
    options.consistentRead,
    DYNAMODB_STORE_DEFAULTS.consistentRead,
  );
  return {
    ...table,
    // With neither option, `{}` lets the SDK's default chains find the region and
    // credentials (AWS_REGION and the execution role on Lambda), as Powertools does.
    client: client ?? new DynamoDBClient(clientConfig ?? {}),
    ownsClient: client === undefined,
    consistentRead,
  };
}

/**
 * Throws unless `client` looks like a `DynamoDBClient` (shared with the watermark store).
 * Internal.
 */
export function assertClient(client: unknown): asserts client is DynamoDBClient {
  if (typeof (client as { send?: unknown } | null | undefined)?.send !== 'function') {
    throw new InvalidOptionError(
      'client',
      `expected a DynamoDBClient from @aws-sdk/client-dynamodb, got ${describeValue(client)}`,
    );
  }
}

function resolveAttributes(overrides: Partial<AttributeNames> | undefined): AttributeNames {
  if (overrides !== undefined) checkObject('attributes', overrides);
  const defaults = DYNAMODB_STORE_DEFAULTS.attributes;
  const known = Object.keys(defaults);
  for (const field of Object.keys(overrides ?? {})) {
    if (!known.includes(field)) {
      throw new InvalidOptionError(
        `attributes.${field}`,
        `unknown attribute; expected one of ${known.join(', ')}`,
      );
    }
  }
  const attributes: AttributeNames = { ...defaults, ...overrides };
  for (const [field, name] of Object.entries(attributes)) {
    assertAttributeName(`attributes.${field}`, name);
  }
  const names = Object.values(attributes);
  const repeated = names.find((name, index) => names.indexOf(name) !== index);
  if (repeated !== undefined) {
    throw new InvalidOptionError(
      'attributes',
      `each attribute needs its own name; "${repeated}" is used twice`,
    );
  }
  return attributes;
}

/**
 * Validates a static sort key; `taken` are the item's other attribute names, which it must
 * not reuse (shared with the watermark store). Internal.
 */
export function resolveSortKey(
  sortKey: SortKey | undefined,
  taken: readonly string[],
): SortKey | undefined {
  if (sortKey === undefined) return undefined;
  checkObject('sortKey', sortKey);
  assertAttributeName('sortKey.name', sortKey.name);
  if (taken.includes(sortKey.name)) {
    throw new InvalidOptionError(
      'sortKey.name',
      `"${sortKey.name}" is already one of the record's attributes`,
    );
  }
  const value = nonEmptyString('sortKey.value', sortKey.value);
  if (Buffer.byteLength(value, 'utf8') > 1024) {
    throw new InvalidOptionError(
      'sortKey.value',
      'expected at most 1024 bytes (DynamoDB sort keys)',
    );
  }
  return { name: sortKey.name, value };
}

/** Validates an attribute name (shared with the watermark store). Internal. */
export function assertAttributeName(option: string, name: unknown): asserts name is string {
  nonEmptyString(option, name);
  if (Buffer.byteLength(name as string, 'utf8') > MAX_ATTRIBUTE_NAME_BYTES) {
    throw new InvalidOptionError(option, `expected at most ${MAX_ATTRIBUTE_NAME_BYTES} bytes`);
  }
}
