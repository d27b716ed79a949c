import { createHash } from 'node:crypto';

/**
 * Canonical JSON: object keys sorted at every depth, `undefined` members dropped,
 * so two payloads that mean the same thing hash the same whatever their key order.
 * Non-finite numbers, BigInt and cycles throw, because they have no stable JSON form.
 *
 * @example
 * canonicalJson({ b: 1, a: [2, { d: 3, c: 4 }] }); // '{"a":[2,{"c":4,"d":3}],"b":1}'
 */
export function canonicalJson(value: unknown): string {
  return write(value, new Set());
}

function write(value: unknown, seen: Set<object>): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`Cannot fingerprint the number ${value}`);
      return JSON.stringify(value);
    case 'object':
      return writeObject(value as object, seen);
    default:
      throw new TypeError(`Cannot fingerprint a value of type ${typeof value}`);
  }
}

function writeObject(value: object, seen: Set<object>): string {
  if (seen.has(value)) throw new TypeError('Cannot fingerprint a cyclic value');
  const json = (value as { toJSON?: () => unknown }).toJSON;
  if (typeof json === 'function') return write(json.call(value), seen);
  seen.add(value);
  try {
    if (Array.isArray(value)) {
      return `[${value.map((item) => (item === undefined ? 'null' : write(item, seen))).join(',')}]`;
    }
    const record = value as Record<string, unknown>;
    const members = Object.keys(record)
      .filter((name) => record[name] !== undefined && typeof record[name] !== 'function')
      .sort()
      .map((name) => `${JSON.stringify(name)}:${write(record[name], seen)}`);
    return `{${members.join(',')}}`;
  } finally {
    seen.delete(value);
  }
}

/**
 * A stable fingerprint of `value`: SHA-256 (base64url) of its canonical JSON.
 *
 * @example
 * fingerprintOf({ amount: 100, currency: 'EUR' }) === fingerprintOf({ currency: 'EUR', amount: 100 }); // true
 */
export function fingerprintOf(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value), 'utf8').digest('base64url');
}
