import type { AttributeValue } from '@aws-sdk/client-dynamodb';

/**
 * The DynamoDB limits the store checks before it calls, so an oversized write fails
 * with a typed error naming the limit instead of an opaque `ValidationException`.
 *
 * @example
 * if (effects.length + 1 > DYNAMODB_LIMITS.transactionItems) splitTheWork();
 */
export const DYNAMODB_LIMITS = {
  /** An item's size, counting attribute names and values: 400 KB. */
  itemBytes: 400 * 1024,
  /** Actions in one `TransactWriteItems` (the record counts as one). */
  transactionItems: 100,
  /** Bytes of items in one `TransactWriteItems`: 4 MB. */
  transactionBytes: 4 * 1024 * 1024,
} as const;

const utf8 = (text: string): number => Buffer.byteLength(text, 'utf8');

/**
 * A number's size: about one byte per two significant digits, plus one. Leading
 * and trailing zeros do not count.
 */
function numberSize(text: string): number {
  const digits = text
    .replace(/[eE].*$/, '')
    .replace(/[^0-9]/g, '')
    .replace(/^0+/, '')
    .replace(/0+$/, '');
  return Math.ceil(Math.max(digits.length, 1) / 2) + 1;
}

/**
 * The size DynamoDB counts for one attribute value, following its published sizing rules.
 *
 * @example
 * attributeValueSize({ S: 'héllo' }); // 6 (UTF-8 bytes)
 */
export function attributeValueSize(value: AttributeValue): number {
  if (value.S !== undefined) return utf8(value.S);
  if (value.N !== undefined) return numberSize(value.N);
  if (value.B !== undefined) return value.B.byteLength;
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.SS !== undefined) return value.SS.reduce((sum, s) => sum + utf8(s), 0);
  if (value.NS !== undefined) return value.NS.reduce((sum, n) => sum + numberSize(n), 0);
  if (value.BS !== undefined) return value.BS.reduce((sum, b) => sum + b.byteLength, 0);
  // Lists and maps: 3 bytes of their own, plus one per element.
  if (value.L !== undefined) {
    return value.L.reduce((sum, element) => sum + 1 + attributeValueSize(element), 3);
  }
  if (value.M !== undefined) {
    return Object.entries(value.M).reduce(
      (sum, [name, element]) => sum + 1 + utf8(name) + attributeValueSize(element),
      3,
    );
  }
  return 0;
}

/**
 * The size DynamoDB counts for an item (or a key, or a set of expression values):
 * attribute names plus values.
 *
 * @example
 * itemSize({ pk: { S: 'k' } }); // 3
 */
export function itemSize(item: Record<string, AttributeValue> | undefined): number {
  if (item === undefined) return 0;
  let size = 0;
  for (const name in item) {
    const value = item[name];
    if (value !== undefined) size += utf8(name) + attributeValueSize(value);
  }
  return size;
}
