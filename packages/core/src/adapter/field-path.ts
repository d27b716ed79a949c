/**
 * The one field-path syntax of every adapter's `key: { field }` option: object keys and
 * array indices, `order.id`, `$.order.id` or `items[0].sku`.
 */

/** A parsed field path: object keys and array indices, in order. */
export type FieldPath = readonly (string | number)[];

const SEGMENT = /^([^.[\]]+)?((?:\[\d+\])*)$/;

/**
 * Parses `detail.id`, `$.order.id` or `items[0].sku` into segments. Returns `undefined`
 * for a malformed path, so the option can be rejected at construction.
 *
 * @example
 * parseFieldPath('$.order.items[0].id'); // ['order', 'items', 0, 'id']
 */
export function parseFieldPath(path: string): FieldPath | undefined {
  const trimmed = path.startsWith('$.') ? path.slice(2) : path;
  if (trimmed.length === 0) return undefined;
  const segments: (string | number)[] = [];
  for (const part of trimmed.split('.')) {
    const match = SEGMENT.exec(part);
    if (!match || (match[1] === undefined && match[2] === '')) return undefined;
    if (match[1] !== undefined) segments.push(match[1]);
    for (const index of match[2]?.matchAll(/\[(\d+)\]/g) ?? []) segments.push(Number(index[1]));
  }
  return segments;
}

/** Reads `path` from a parsed JSON value; `undefined` when any step is missing. */
export function readFieldPath(value: unknown, path: FieldPath): unknown {
  let current = value;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined;
    // Indices only on arrays, names only on objects, and only own properties, so a
    // path can never reach `length` or the prototype.
    if (Array.isArray(current) !== (typeof segment === 'number')) return undefined;
    if (!Object.hasOwn(current, segment)) return undefined;
    current = (current as Record<string | number, unknown>)[segment];
  }
  return current;
}
