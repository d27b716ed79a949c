import { InvalidOptionError } from '@oncely/core';
import { describeValue, nonEmptyString } from '@oncely/core/adapter';

/**
 * PostgreSQL keeps the first 63 bytes of an identifier (NAMEDATALEN - 1) and silently
 * drops the rest, so a longer name would address a different table than it says.
 */
const MAX_IDENTIFIER_BYTES = 63;

/** Validates a table or schema name; names are used as given, quoted, so case counts. Internal. */
export function identifier(option: string, value: unknown): string {
  const name = nonEmptyString(option, value);
  if (name.includes('\0')) {
    throw new InvalidOptionError(option, `expected no NUL character, got ${describeValue(value)}`);
  }
  const bytes = Buffer.byteLength(name, 'utf8');
  if (bytes > MAX_IDENTIFIER_BYTES) {
    throw new InvalidOptionError(
      option,
      `expected at most ${MAX_IDENTIFIER_BYTES} bytes (PostgreSQL cuts longer names), got ${bytes} bytes: ${describeValue(value)}`,
    );
  }
  return name;
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
