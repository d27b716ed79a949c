import { DYNAMODB_STORE_DEFAULTS } from '@oncely/dynamodb';
import { describe, expect, it } from 'vitest';
import { humanDuration, table } from '../src/format.js';
import { CliError, EXIT_CODES, parseStoreUrl } from '../src/index.js';

describe('parseStoreUrl', () => {
  it('reads a DynamoDB URL: the table as written, region, endpoint, sort key, attributes', () => {
    expect(
      parseStoreUrl(
        'dynamodb://App.Dedup_1?region=eu-west-1&endpoint=http://127.0.0.1:8000&sortKey=SK&sortKeyValue=ONCELY%23DEDUP&attr.key=PK&attr.expiresAt=ttl',
      ),
    ).toEqual({
      kind: 'dynamodb',
      tableName: 'App.Dedup_1',
      region: 'eu-west-1',
      endpoint: 'http://127.0.0.1:8000',
      sortKey: { name: 'SK', value: 'ONCELY#DEDUP' },
      attributes: { ...DYNAMODB_STORE_DEFAULTS.attributes, key: 'PK', expiresAt: 'ttl' },
    });
  });

  it('reads a PostgreSQL URL, keeping its own parameters for node-postgres', () => {
    expect(
      parseStoreUrl('postgresql://u:p@db:5433/app?sslmode=require&table=dedup&schema=ops'),
    ).toEqual({
      kind: 'postgres',
      connectionString: 'postgresql://u:p@db:5433/app?sslmode=require',
      tableName: 'dedup',
      schema: 'ops',
    });
    expect(parseStoreUrl('postgres://db/app')).toMatchObject({
      tableName: 'oncely_dedup',
      schema: undefined,
    });
  });

  it('reads a Redis URL and its prefix', () => {
    expect(parseStoreUrl('rediss://cache:6380/2?prefix=oncely:')).toEqual({
      kind: 'redis',
      url: 'rediss://cache:6380/2',
      prefix: 'oncely:',
    });
  });

  it.each([
    [undefined, /^no store/],
    ['', /^no store/],
    ['::', /^bad store URL/],
    ['s3://bucket', /^unknown store scheme "s3:"/],
    ['dynamodb://', /^bad DynamoDB table ""/],
    ['dynamodb://oncely?attr.pk=x', /^unknown attribute "attr.pk"/],
    ['dynamodb://oncely?sortKey=SK', /^give both sortKey and sortKeyValue/],
    ['dynamodb://oncely?endpoint=nope', /^bad endpoint "nope"/],
  ])('refuses %j as a usage error', (url, message) => {
    const error = (() => {
      try {
        parseStoreUrl(url);
      } catch (thrown) {
        return thrown;
      }
    })();
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).code).toBe(EXIT_CODES.usage);
    expect((error as CliError).message).toMatch(message);
  });

  it('never shows a password in a message', () => {
    expect(() => parseStoreUrl('mysql://me:secret@db/x')).toThrow('"mysql://me:***@db/x"');
  });
});

describe('formatting', () => {
  it.each([
    [0, '0ms'],
    [999, '999ms'],
    [1000, '1s'],
    [61_000, '1m 1s'],
    [540_000, '9m'],
    [3_600_000 + 120_000, '1h 2m'],
    [90_000_000, '1d 1h'],
    [-61_000, '1m 1s'],
  ])('humanDuration(%d) is %j', (ms, text) => {
    expect(humanDuration(ms)).toBe(text);
  });

  it('pads columns, leaving the last one as it is', () => {
    expect(
      table([
        ['KEY', 'STATUS'],
        ['payments#1', 'COMPLETED'],
      ]),
    ).toBe('KEY         STATUS\npayments#1  COMPLETED\n');
  });
});
