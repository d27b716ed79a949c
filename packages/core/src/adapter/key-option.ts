/**
 * The one `key` option of every adapter: a named ID (`'messageId'`, `'offset'`), a field
 * of the JSON payload (`{ field: 'order.id' }`), a named part of the message (`{ attribute }`
 * in SQS, `{ header }` in Kafka and webhooks) or a function. Each adapter says which forms
 * it has and what they are called; this parses and validates the option once, at
 * construction, so every adapter accepts and refuses the same shapes with the same words.
 */
import { InvalidOptionError } from '../errors.js';
import { describeValue } from './describe-value.js';
import { type FieldPath, parseFieldPath, readFieldPath } from './field-path.js';

/** Which forms one adapter's `key` option has, and what they are called. */
export interface KeyOptionShape {
  /** The string forms, e.g. `['messageId', 'deduplicationId']` (SQS) or `['offset']` (Kafka). */
  readonly ids?: readonly string[];
  /** What `{ field }` reads, as errors name it: `'body'` (SQS), `'value'` (Kafka); absent: no field form. */
  readonly fieldHost?: string;
  /** The property of the named form: `'attribute'` (SQS), `'header'` (Kafka); absent: no named form. */
  readonly namedHost?: string;
  /** How errors name the named form's source. @default namedHost */
  readonly namedLabel?: string;
  /** Whether a function is a form. @default true */
  readonly functions?: boolean;
  /** Old spellings of the object forms (old name to new), each refused naming the new one. */
  readonly renamed?: Readonly<Record<string, string>>;
  /** The option's name in errors. @default 'key' */
  readonly option?: string;
}

/** A parsed `key` option. `source` says where the key is read, for `KeyReadError.source`. */
export type KeyOptionForm<TFn> =
  | { readonly form: 'id'; readonly id: string }
  | {
      readonly form: 'field';
      readonly field: string;
      readonly path: FieldPath;
      /** E.g. `body field detail.id`. */
      readonly source: string;
      /** Reads the field from the parsed JSON payload; `undefined` when it is missing. */
      readonly read: (payload: unknown) => unknown;
    }
  | {
      readonly form: 'named';
      readonly name: string;
      /** E.g. `message attribute eventId`, `header idempotency-key`. */
      readonly source: string;
    }
  | { readonly form: 'function'; readonly fn: TFn };

/**
 * Parses an adapter's `key` option (give it the default already applied). Throws
 * `InvalidOptionError` naming the option and showing the bad value, so a misspelled
 * `key: { bodyFeild: 'id' }` says `got {"bodyFeild":"id"}`; a `renamed` spelling says
 * what it is called now.
 *
 * @example
 * parseKeyOption({ field: '$.order.id' }, { ids: ['messageId'], fieldHost: 'body', namedHost: 'attribute' });
 * // { form: 'field', field: '$.order.id', path: ['order', 'id'], source: 'body field $.order.id', read }
 */
export function parseKeyOption<TFn = (...args: never[]) => unknown>(
  value: unknown,
  shape: KeyOptionShape,
): KeyOptionForm<TFn> {
  const option = shape.option ?? 'key';
  if (typeof value === 'string' && shape.ids?.includes(value)) return { form: 'id', id: value };
  if (typeof value === 'function' && shape.functions !== false) {
    return { form: 'function', fn: value as TFn };
  }
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const entries = Object.entries(value);
    for (const [name, inner] of entries) {
      const renamed = shape.renamed !== undefined && Object.hasOwn(shape.renamed, name);
      if (renamed) {
        const now = shape.renamed?.[name] as string;
        throw new InvalidOptionError(
          option,
          `{ ${name} } is now { ${now} } (renamed before 1.0): write { ${now}: ${describeValue(inner)} }`,
        );
      }
    }
    const [entry] = entries;
    if (entries.length === 1 && entry !== undefined) {
      const [name, inner] = entry;
      if (name === 'field' && shape.fieldHost !== undefined) {
        return fieldForm(option, shape.fieldHost, inner);
      }
      if (name === shape.namedHost) {
        return namedForm(option, name, shape.namedLabel ?? name, inner);
      }
    }
  }
  throw new InvalidOptionError(option, `expected ${formList(shape)}, got ${describeValue(value)}`);
}

function fieldForm<TFn>(option: string, host: string, field: unknown): KeyOptionForm<TFn> {
  const path = typeof field === 'string' ? parseFieldPath(field) : undefined;
  if (path === undefined) {
    throw new InvalidOptionError(
      option,
      `expected { field: a path like order.id, $.order.id or items[0].sku }, got { field: ${describeValue(field)} }`,
    );
  }
  const text = field as string;
  return {
    form: 'field',
    field: text,
    path,
    source: `${host} field ${text}`,
    read: (payload) => readFieldPath(payload, path),
  };
}

function namedForm<TFn>(
  option: string,
  property: string,
  label: string,
  name: unknown,
): KeyOptionForm<TFn> {
  if (typeof name !== 'string' || name.length === 0) {
    throw new InvalidOptionError(
      option,
      `expected { ${property}: a non-empty name }, got { ${property}: ${describeValue(name)} }`,
    );
  }
  return { form: 'named', name, source: `${label} ${name}` };
}

/** The forms, as the error lists them: `'messageId', { field }, { attribute } or a function`. */
function formList(shape: KeyOptionShape): string {
  const forms = (shape.ids ?? []).map((id) => `'${id}'`);
  if (shape.fieldHost !== undefined) forms.push('{ field }');
  if (shape.namedHost !== undefined) forms.push(`{ ${shape.namedHost} }`);
  if (shape.functions !== false) forms.push('a function');
  const last = forms.pop() ?? 'nothing';
  return forms.length === 0 ? last : `${forms.join(', ')} or ${last}`;
}

/**
 * A field's value as key text: a string as it is, a finite number in decimal; anything
 * else (`null`, an object, a boolean, a missing field) is `undefined`, so every adapter
 * turns a field into a key by the same rule.
 *
 * @example
 * fieldKeyText(42); // '42'
 * fieldKeyText({ id: 1 }); // undefined
 */
export function fieldKeyText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}
