import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { DedupRecord, RecordStatus } from '@oncely/core';
import type { AttributeNames, SortKey } from './options.js';

/** A DynamoDB item in the low-level client's attribute-value form. */
export type Item = Record<string, AttributeValue>;

/**
 * Maps records to items and back under the configured attribute names. Written by
 * hand rather than with `marshall`, because the record has seven fixed fields and
 * the hot path should not walk objects generically.
 */
export class RecordItemCodec {
  constructor(
    private readonly attributes: AttributeNames,
    private readonly sortKey: SortKey | undefined,
  ) {}

  /** The primary key of the record stored under `storeKey`. */
  key(storeKey: string): Item {
    const key: Item = { [this.attributes.key]: { S: storeKey } };
    if (this.sortKey) key[this.sortKey.name] = { S: this.sortKey.value };
    return key;
  }

  /** The full item of `record`. */
  toItem(record: DedupRecord): Item {
    const a = this.attributes;
    const item = this.key(record.key);
    item[a.status] = { S: record.status };
    item[a.token] = { S: record.token };
    item[a.leaseUntil] = { N: String(record.leaseUntil) };
    item[a.expiresAt] = { N: String(record.expiresAt) };
    if (record.fingerprint !== undefined) item[a.fingerprint] = { S: record.fingerprint };
    if (record.result !== undefined) item[a.result] = { S: record.result };
    return item;
  }

  /**
   * Reads a record from an item. An item that is not an oncely record (a foreign
   * item under the same key in a shared table) throws, rather than being taken
   * for a duplicate or overwritten silently.
   */
  fromItem(item: Item): DedupRecord {
    const a = this.attributes;
    const key = this.string(item, a.key);
    const status = this.string(item, a.status);
    if (status !== 'IN_PROGRESS' && status !== 'COMPLETED') {
      throw new TypeError(
        `Item "${key}" is not an oncely record: attribute "${a.status}" is "${status}", expected IN_PROGRESS or COMPLETED`,
      );
    }
    const fingerprint = item[a.fingerprint]?.S;
    const result = item[a.result]?.S;
    return {
      key,
      status: status satisfies RecordStatus,
      token: this.string(item, a.token),
      leaseUntil: this.number(item, a.leaseUntil, key),
      expiresAt: this.number(item, a.expiresAt, key),
      ...(fingerprint === undefined ? {} : { fingerprint }),
      ...(result === undefined ? {} : { result }),
    };
  }

  private string(item: Item, name: string): string {
    const value = item[name]?.S;
    if (value === undefined) {
      throw new TypeError(`Item is not an oncely record: string attribute "${name}" is missing`);
    }
    return value;
  }

  private number(item: Item, name: string, key: string): number {
    const text = item[name]?.N;
    const value = text === undefined ? Number.NaN : Number(text);
    if (!Number.isFinite(value)) {
      throw new TypeError(
        `Item "${key}" is not an oncely record: number attribute "${name}" is missing or invalid`,
      );
    }
    return value;
  }
}
