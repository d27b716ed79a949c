import { type AttributeNames, DYNAMODB_STORE_DEFAULTS, type SortKey } from '@oncely/dynamodb';
import { REDIS_STORE_DEFAULTS } from '@oncely/redis';
import { usage } from './exit-codes.js';

/** Where the records are, as parsed from `--store` / `ONCELY_STORE`. */
export type StoreTarget = DynamoDBTarget | PostgresTarget | RedisTarget;

/** `dynamodb://TABLE?region=...&endpoint=...&sortKey=SK&sortKeyValue=V&attr.key=PK` */
export interface DynamoDBTarget {
  readonly kind: 'dynamodb';
  readonly tableName: string;
  readonly region: string | undefined;
  readonly endpoint: string | undefined;
  readonly attributes: AttributeNames;
  readonly sortKey: SortKey | undefined;
}

/** `postgres://user@host:5432/db?table=oncely_dedup&schema=app` */
export interface PostgresTarget {
  readonly kind: 'postgres';
  /** The connection string without the CLI's own parameters. */
  readonly connectionString: string;
  readonly tableName: string;
  readonly schema: string | undefined;
}

/** `redis://host:6379/0?prefix=oncely:` */
export interface RedisTarget {
  readonly kind: 'redis';
  /** The connection URL without the CLI's own parameters. */
  readonly url: string;
  readonly prefix: string | undefined;
}

/** The Postgres table when the URL names none (the name the store's README uses). */
export const DEFAULT_POSTGRES_TABLE = 'oncely_dedup';

const SCHEMES = ['dynamodb:', 'postgres:', 'postgresql:', 'redis:', 'rediss:'];

/**
 * Parses a store URL. Anything wrong is a usage error (exit 2) naming what is wrong.
 *
 * @example
 * parseStoreUrl('dynamodb://oncely?region=eu-west-1'); // { kind: 'dynamodb', tableName: 'oncely', ... }
 */
export function parseStoreUrl(text: string | undefined): StoreTarget {
  if (text === undefined || text.trim() === '') {
    throw usage(
      'no store: pass --store URL or set ONCELY_STORE (e.g. dynamodb://oncely?region=eu-west-1)',
    );
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw usage(
      `bad store URL "${redact(text)}": expected e.g. dynamodb://TABLE, postgres://HOST/DB or redis://HOST`,
    );
  }
  if (!SCHEMES.includes(url.protocol)) {
    throw usage(
      `unknown store scheme "${url.protocol}" in "${redact(text)}": expected dynamodb://, postgres:// or redis://`,
    );
  }
  if (url.protocol === 'dynamodb:') return dynamodbTarget(url, text);
  if (url.protocol === 'redis:' || url.protocol === 'rediss:') return redisTarget(url);
  return postgresTarget(url);
}

function dynamodbTarget(url: URL, text: string): DynamoDBTarget {
  // `dynamodb://TABLE`: the table is the URL's host part (DynamoDB names may hold '.', '-', '_'
  // and capitals, which URL lower-cases in a host, so read it from the text).
  const tableName = decodeURIComponent(/^dynamodb:\/\/([^/?#]*)/i.exec(text)?.[1] ?? '');
  if (!/^[a-zA-Z0-9_.-]{3,255}$/.test(tableName)) {
    throw usage(
      `bad DynamoDB table "${tableName}" in the store URL: expected dynamodb://TABLE with 3-255 characters of a-z, A-Z, 0-9, '_', '-', '.'`,
    );
  }
  const params = url.searchParams;
  const known = new Set(['region', 'endpoint', 'sortKey', 'sortKeyValue']);
  const overrides: Record<string, string> = {};
  for (const [name, value] of params) {
    if (name.startsWith('attr.')) {
      const field = name.slice('attr.'.length);
      if (!(field in DYNAMODB_STORE_DEFAULTS.attributes)) {
        throw usage(
          `unknown attribute "${name}" in the store URL: expected attr. and one of ${Object.keys(DYNAMODB_STORE_DEFAULTS.attributes).join(', ')}`,
        );
      }
      overrides[field] = value;
    } else if (!known.has(name)) {
      throw usage(
        `unknown parameter "${name}" in the DynamoDB store URL: expected region, endpoint, sortKey, sortKeyValue or attr.NAME`,
      );
    }
  }
  const sortKeyName = params.get('sortKey') ?? undefined;
  const sortKeyValue = params.get('sortKeyValue') ?? undefined;
  if ((sortKeyName === undefined) !== (sortKeyValue === undefined)) {
    throw usage('give both sortKey and sortKeyValue in the DynamoDB store URL, or neither');
  }
  const endpoint = params.get('endpoint') ?? undefined;
  if (endpoint !== undefined && !URL.canParse(endpoint)) {
    throw usage(
      `bad endpoint "${endpoint}" in the DynamoDB store URL: expected e.g. http://127.0.0.1:8000`,
    );
  }
  return {
    kind: 'dynamodb',
    tableName,
    region: params.get('region') ?? undefined,
    endpoint,
    attributes: { ...DYNAMODB_STORE_DEFAULTS.attributes, ...overrides },
    sortKey:
      sortKeyName === undefined || sortKeyValue === undefined
        ? undefined
        : { name: sortKeyName, value: sortKeyValue },
  };
}

function postgresTarget(url: URL): PostgresTarget {
  const tableName = url.searchParams.get('table') ?? DEFAULT_POSTGRES_TABLE;
  const schema = url.searchParams.get('schema') ?? undefined;
  const connection = new URL(url.href);
  connection.searchParams.delete('table');
  connection.searchParams.delete('schema');
  return { kind: 'postgres', connectionString: connection.href, tableName, schema };
}

function redisTarget(url: URL): RedisTarget {
  const prefix = url.searchParams.get('prefix') ?? undefined;
  const connection = new URL(url.href);
  connection.searchParams.delete('prefix');
  return { kind: 'redis', url: connection.href, prefix };
}

/**
 * How messages name the records' place: `DynamoDB table "oncely"`,
 * `PostgreSQL table "app.oncely_dedup"`, `Redis keys "oncely:*" at cache:6379`.
 *
 * @example
 * describeTarget(parseStoreUrl('dynamodb://oncely')); // 'DynamoDB table "oncely"'
 */
export function describeTarget(target: StoreTarget): string {
  switch (target.kind) {
    case 'dynamodb':
      return `DynamoDB table "${target.tableName}"`;
    case 'postgres':
      return `PostgreSQL table "${target.schema === undefined ? '' : `${target.schema}.`}${target.tableName}"`;
    case 'redis':
      return `Redis keys "${target.prefix ?? REDIS_STORE_DEFAULTS.keyPrefix}*" at ${new URL(target.url).host}`;
  }
}

/** The URL with any password replaced, for messages. */
export function redact(text: string): string {
  return text.replace(/^([a-z]+:\/\/[^:/@]*:)[^@/]*@/i, '$1***@');
}
