import type { AttributeValue, BatchStatementRequest } from '@aws-sdk/client-dynamodb';
import type { DedupRecord } from '@oncely/core';
import { claimValues } from './expressions.js';
import type { AttributeNames, SortKey } from './options.js';
import type { Item, RecordItemCodec } from './record-item.js';

/** A PartiQL identifier: double-quoted, so reserved words and dots are plain names. */
const quoted = (name: string): string => `"${name.replaceAll('"', '""')}"`;
/** A PartiQL string literal, for the attribute names of an `INSERT` tuple. */
const literal = (name: string): string => `'${name.replaceAll("'", "''")}'`;

/**
 * The PartiQL statements of the batch operations, one builder per transition. Each
 * statement names one item by its full primary key (DynamoDB refuses a batch
 * statement that does not), and each asks for the item that made its condition fail,
 * so a refused claim is classified without a read, as in the single calls.
 */
export class BatchStatements {
  private readonly table: string;
  private readonly keyCondition: string;
  private readonly claimCondition: string;

  constructor(
    tableName: string,
    private readonly attributes: AttributeNames,
    private readonly sortKey: SortKey | undefined,
    private readonly codec: RecordItemCodec,
  ) {
    const a = attributes;
    this.table = quoted(tableName);
    this.keyCondition = sortKey
      ? `${quoted(a.key)} = ? AND ${quoted(sortKey.name)} = ?`
      : `${quoted(a.key)} = ?`;
    // The claim rule of the single PutItem, less `attribute_not_exists`: an UPDATE never
    // creates an item, which is why a claim starts with an INSERT.
    this.claimCondition = `(${quoted(a.expiresAt)} <= ? OR (${quoted(a.status)} = ? AND ${quoted(a.leaseUntil)} <= ?))`;
  }

  /** Creates the claim's record; refused with `DuplicateItem` when the key exists. */
  insert(record: DedupRecord): BatchStatementRequest {
    const item = this.codec.toItem(record);
    const names = Object.keys(item);
    return {
      Statement: `INSERT INTO ${this.table} VALUE {${names.map((name) => `${literal(name)}: ?`).join(', ')}}`,
      Parameters: names.map((name) => item[name] as AttributeValue),
    };
  }

  /**
   * Takes over an existing record whose window expired or whose lease ended, returning
   * the record it replaced; when the condition fails, DynamoDB returns the record that
   * holds the key (or none, if the key vanished since the INSERT).
   */
  takeover(record: DedupRecord, now: number): BatchStatementRequest {
    const a = this.attributes;
    const sets: [string, AttributeValue][] = [
      [a.status, { S: record.status }],
      [a.token, { S: record.token }],
      [a.leaseUntil, { N: String(record.leaseUntil) }],
      [a.expiresAt, { N: String(record.expiresAt) }],
    ];
    const removes = [a.result];
    if (record.fingerprint === undefined) removes.push(a.fingerprint);
    else sets.push([a.fingerprint, { S: record.fingerprint }]);
    const values = claimValues(now);
    return {
      Statement: `UPDATE ${this.table} SET ${sets.map(([name]) => `${quoted(name)} = ?`).join(', ')}${removes.map((name) => ` REMOVE ${quoted(name)}`).join('')} WHERE ${this.keyCondition} AND ${this.claimCondition} RETURNING ALL OLD *`,
      Parameters: [
        ...sets.map(([, value]) => value),
        ...this.keyValues(record.key),
        values[':nowSec'] as AttributeValue,
        values[':inProgress'] as AttributeValue,
        values[':nowMs'] as AttributeValue,
      ],
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    };
  }

  /** Completes a record, only while `token` owns it; returns the completed record. */
  complete(
    storeKey: string,
    token: string,
    expiresAt: number,
    result: string | undefined,
  ): BatchStatementRequest {
    const a = this.attributes;
    const sets: [string, AttributeValue][] = [
      [a.status, { S: 'COMPLETED' }],
      [a.expiresAt, { N: String(expiresAt) }],
    ];
    if (result !== undefined) sets.push([a.result, { S: result }]);
    return {
      Statement: `UPDATE ${this.table} SET ${sets.map(([name]) => `${quoted(name)} = ?`).join(', ')} WHERE ${this.keyCondition} AND ${quoted(a.token)} = ? RETURNING ALL NEW *`,
      Parameters: [...sets.map(([, value]) => value), ...this.keyValues(storeKey), { S: token }],
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    };
  }

  /**
   * Deletes a record, only while `token` owns it. Measured on DynamoDB Local, a key that
   * is already gone answers success here where `DeleteItem` with a condition refuses it;
   * either answer is safe (the key is free, which is what a release is for).
   */
  release(storeKey: string, token: string): BatchStatementRequest {
    return {
      Statement: `DELETE FROM ${this.table} WHERE ${this.keyCondition} AND ${quoted(this.attributes.token)} = ?`,
      Parameters: [...this.keyValues(storeKey), { S: token }],
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    };
  }

  private keyValues(storeKey: string): AttributeValue[] {
    const key: Item = this.codec.key(storeKey);
    return this.sortKey
      ? [key[this.attributes.key] as AttributeValue, key[this.sortKey.name] as AttributeValue]
      : [key[this.attributes.key] as AttributeValue];
  }
}
