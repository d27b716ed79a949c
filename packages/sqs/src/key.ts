import { InvalidOptionError } from '@oncely/core';
import { parseFieldPath, readFieldPath } from '@oncely/core/adapter';
import { MessageBodyError, MessageKeyError } from './errors.js';
import type { QueueMessage } from './message.js';

/**
 * Where a message's dedup key comes from.
 *
 * - `'messageId'`: SQS's message ID. Catches redeliveries of the same message (a
 *   visibility timeout, a failed batch) but not producer retries, which send a new
 *   message with a new ID.
 * - `{ bodyField: 'detail.id' }`: a field of the JSON body (`$.order.id` and
 *   `items[0].id` also work); catches producer duplicates that carry the same event ID.
 * - `{ messageAttribute: 'eventId' }`: a String or Number message attribute.
 * - `'deduplicationId'`: FIFO's `MessageDeduplicationId` (SQS itself only
 *   deduplicates within 5 minutes; oncely keeps the key for the whole `ttl`).
 * - a function of the raw record or message, returning a non-empty string.
 *
 * @default 'messageId'
 * @example
 * createSqsHandler({ store, key: { bodyField: 'detail.id' }, handler });
 */
export type MessageKey<TMessage> =
  | 'messageId'
  | 'deduplicationId'
  | { readonly bodyField: string }
  | { readonly messageAttribute: string }
  | ((message: TMessage) => string);

/** Reads the key of one message; throws {@link MessageKeyError} or {@link MessageBodyError}. */
export type KeyPicker<TMessage> = (message: QueueMessage<TMessage>) => string;

/**
 * Turns the `key` option into a picker, validating it once, at construction.
 * A bad option throws `InvalidOptionError('key')`.
 */
export function keyPicker<TMessage>(option: MessageKey<TMessage> | undefined): KeyPicker<TMessage> {
  const key = option ?? 'messageId';
  if (key === 'messageId') return (message) => present(message, 'messageId', message.messageId);
  if (key === 'deduplicationId') {
    return (message) => present(message, 'MessageDeduplicationId', message.deduplicationId);
  }
  if (typeof key === 'function') return functionPicker(key);
  if (key !== null && typeof key === 'object') {
    if ('bodyField' in key && typeof key.bodyField === 'string') {
      return bodyFieldPicker(key.bodyField);
    }
    if ('messageAttribute' in key && typeof key.messageAttribute === 'string') {
      const name = key.messageAttribute;
      if (name.length === 0) throw new InvalidOptionError('key', 'messageAttribute is empty');
      return attributePicker(name);
    }
  }
  throw new InvalidOptionError(
    'key',
    `expected 'messageId', 'deduplicationId', { bodyField }, { messageAttribute } or a function, got ${String(key)}`,
  );
}

function bodyFieldPicker<TMessage>(field: string): KeyPicker<TMessage> {
  const path = parseFieldPath(field);
  if (!path) {
    throw new InvalidOptionError(
      'key',
      `bodyField "${field}" is not a path like detail.id or $.order.id`,
    );
  }
  const source = `body field ${field}`;
  return (message) => scalarKey(message, source, readFieldPath(parseBody(message), path));
}

function attributePicker<TMessage>(name: string): KeyPicker<TMessage> {
  const source = `message attribute ${name}`;
  return (message) => {
    const attribute = message.attribute(name);
    if (attribute && attribute.value === undefined) {
      throw new MessageKeyError(
        message.messageId,
        source,
        `a ${attribute.dataType} attribute has no string value`,
      );
    }
    return present(message, source, attribute?.value);
  };
}

function functionPicker<TMessage>(pick: (message: TMessage) => string): KeyPicker<TMessage> {
  return (message) => {
    let value: unknown;
    try {
      value = pick(message.raw);
    } catch (cause) {
      if (cause instanceof MessageKeyError || cause instanceof MessageBodyError) throw cause;
      throw new MessageKeyError(message.messageId, 'key function', 'the key function threw', cause);
    }
    if (typeof value !== 'string') {
      throw new MessageKeyError(
        message.messageId,
        'key function',
        `returned ${describe(value)}, expected a string`,
      );
    }
    return present(message, 'key function', value);
  };
}

/** Parses the JSON body; a missing or malformed body is a typed error. */
function parseBody(message: QueueMessage<unknown>): unknown {
  try {
    return JSON.parse(message.body ?? '');
  } catch (cause) {
    throw new MessageBodyError(message.messageId, cause);
  }
}

function scalarKey(message: QueueMessage<unknown>, source: string, value: unknown): string {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'string') return present(message, source, value);
  throw new MessageKeyError(
    message.messageId,
    source,
    value === undefined ? 'missing' : `${describe(value)}, expected a string or number`,
  );
}

function present(
  message: QueueMessage<unknown>,
  source: string,
  value: string | undefined,
): string {
  if (value === undefined) throw new MessageKeyError(message.messageId, source, 'missing');
  if (value.trim().length === 0) throw new MessageKeyError(message.messageId, source, 'empty');
  return value;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

/**
 * The message's key, to keep copies of one key apart in a batch (a standard batch runs
 * them one after another, so the later copy is a duplicate rather than an
 * `InProgressError`; a FIFO group does not claim them ahead). A key that cannot be read
 * gives `undefined`: the message goes alone, and its run reports the typed key error.
 * Internal.
 */
export function readableKey<TMessage>(
  pickKey: KeyPicker<TMessage>,
  message: QueueMessage<TMessage>,
): string | undefined {
  try {
    return pickKey(message);
  } catch {
    return undefined;
  }
}
