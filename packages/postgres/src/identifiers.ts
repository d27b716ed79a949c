import { InvalidOptionError } from '@oncely/core';
import { describeValue } from './checks.js';

/**
 * PostgreSQL keeps the first 63 bytes of an identifier (NAMEDATALEN - 1) and silently
 * drops the rest, so a longer name would address a different table than it says.
 */
const MAX_IDENTIFIER_BYTES = 63;

/** Validates a table or schema name; names are used as given, quoted, so case counts. Internal. */
export function identifier(option: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new InvalidOptionError(
      option,
      `expected a non-empty string, got ${describeValue(value)}`,
    );
  }
  if (value.includes('\0')) {
    throw new InvalidOptionError(option, `expected no NUL character, got ${describeValue(value)}`);
  }
  const bytes = Buffer.byteLength(value, 'utf8');
  if (bytes > MAX_IDENTIFIER_BYTES) {
    throw new InvalidOptionError(
      option,
      `expected at most ${MAX_IDENTIFIER_BYTES} bytes (PostgreSQL cuts longer names), got ${bytes} bytes: ${describeValue(value)}`,
    );
  }
  return value;
}

/** Quotes an identifier for SQL: `my"table` becomes `"my""table"`. Internal. */
export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** The table's name as SQL: `"schema"."table"`, or `"table"` to follow the `search_path`. Internal. */
export function qualifiedName(tableName: string, schema: string | undefined): string {
  const table = quoteIdentifier(tableName);
  return schema === undefined ? table : `${quoteIdentifier(schema)}.${table}`;
}
