import { fieldKeyText, type KeyOptionShape, parseKeyOption } from '@oncely/core/adapter';
import { MessageBodyError, MessageKeyError } from './errors.js';
import type { QueueMessage } from './message.js';

/**
 * Where a message's dedup key comes from: the same forms as every oncely adapter's `key`
 * option (see docs/decisions/0005-one-key-vocabulary.md).
 *
 * - `'messageId'`: SQS's message ID. Catches redeliveries of the same message (a
 *   visibility timeout, a failed batch) but not producer retries, which send a new
 *   message with a new ID.
 * - `{ field: 'detail.id' }`: a field of the JSON body (`$.order.id` and
 *   `items[0].id` also work); catches producer duplicates that carry the same event ID.
 * - `{ attribute: 'eventId' }`: a String or Number message attribute.
 * - `'deduplicationId'`: FIFO's `MessageDeduplicationId` (SQS itself only
 *   deduplicates within 5 minutes; oncely keeps the key for the whole `ttl`).
 * - a function of the raw record or message, returning a non-empty string.
 *
 * @default 'messageId'
 * @example
 * createSqsHandler({ store, key: { field: 'detail.id' }, handler });
 */
export type MessageKey<TMessage> =
  | 'messageId'
  | 'deduplicationId'
  // The `never` members make naming both a type error, not just a runtime one.
  | { readonly field: string; readonly attribute?: never }
  | { readonly attribute: string; readonly field?: never }
  | ((message: TMessage) => string);

/** Reads the key of one message; throws {@link MessageKeyError} or {@link MessageBodyError}. */
export type KeyPicker<TMessage> = (message: QueueMessage<TMessage>) => string;

/** The SQS spelling of the shared `key` option. Internal. */
export const SQS_KEY_SHAPE: KeyOptionShape = {
  ids: ['messageId', 'deduplicationId'],
  fieldHost: 'body',
  namedHost: 'attribute',
  namedLabel: 'message attribute',
  // The spellings before 1.0, refused with their new names.
  renamed: { bodyField: 'field', messageAttribute: 'attribute' },
};

/**
 * Turns the `key` option into a picker, validating it once, at construction.
 * A bad option throws `InvalidOptionError('key')`.
 */
export function keyPicker<TMessage>(option: MessageKey<TMessage> | undefined): KeyPicker<TMessage> {
  const key = parseKeyOption<(message: TMessage) => string>(option ?? 'messageId', SQS_KEY_SHAPE);
  switch (key.form) {
    case 'id':
      return key.id === 'messageId'
        ? (message) => present(message, 'messageId', message.messageId)
        : (message) => present(message, 'MessageDeduplicationId', message.deduplicationId);
    case 'field':
      return fieldPicker(key.read, key.source);
    case 'named':
      return attributePicker(key.name, key.source);
    case 'function':
      return functionPicker(key.fn);
  }
}

/** The message attribute the `key` option reads, if any (the worker must ask SQS for it). Internal. */
export function keyedAttribute<TMessage>(
  option: MessageKey<TMessage> | undefined,
): string | undefined {
  const key = parseKeyOption(option ?? 'messageId', SQS_KEY_SHAPE);
  return key.form === 'named' ? key.name : undefined;
}

function fieldPicker<TMessage>(
  readField: (body: unknown) => unknown,
  source: string,
): KeyPicker<TMessage> {
  return (message) => {
    const value = readField(parseBody(message, source));
    const text = fieldKeyText(value);
    if (text !== undefined) return present(message, source, text);
    throw new MessageKeyError(
      message.messageId,
      source,
      value === undefined ? 'missing' : `${describe(value)}, expected a string or number`,
    );
  };
}

function attributePicker<TMessage>(name: string, source: string): KeyPicker<TMessage> {
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
function parseBody(message: QueueMessage<unknown>, source: string): unknown {
  try {
    return JSON.parse(message.body ?? '');
  } catch (cause) {
    throw new MessageBodyError(message.messageId, cause, source);
  }
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
