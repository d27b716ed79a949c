/**
 * A bad option value as a short, readable string for an error message: strings quoted,
 * objects as JSON (cut at 60 characters), functions by name, so a misspelled option
 * prints `got {"bodyFeild":"id"}` rather than `got [object Object]`.
 *
 * @example
 * describeValue({ bodyFeild: 'id' }); // '{"bodyFeild":"id"}'
 * describeValue('5 minutes');          // '"5 minutes"'
 */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(clip(value));
  if (typeof value === 'function') return value.name ? `function ${value.name}` : 'a function';
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'symbol') return value.toString();
  if (value === null || typeof value !== 'object') return String(value);
  if (value instanceof Date) return `Date(${value.toISOString()})`;
  try {
    const json = JSON.stringify(value);
    return json === undefined ? Object.prototype.toString.call(value) : clip(json);
  } catch {
    // Cyclic or with a throwing toJSON: the tag still says what kind of thing it was.
    return Object.prototype.toString.call(value);
  }
}

function clip(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
