import { fieldKeyText, type KeyOptionShape, parseKeyOption } from '@oncely/core/adapter';
import { MessageKeyError } from './errors.js';
import type { KafkaMessage, KafkaMessageContext } from './types.js';

/** Where a message came from, as a key function sees it. */
export type KeySource<M extends KafkaMessage = KafkaMessage> = Omit<KafkaMessageContext<M>, 'key'>;

/**
 * Reads a message's dedup key. Throw {@link MessageKeyError} (or anything: it is
 * wrapped in one) when the key cannot be read; never return a placeholder, which
 * would collapse unrelated messages onto one record.
 */
export type MessageKeyFn<M extends KafkaMessage = KafkaMessage> = (source: KeySource<M>) => string;

/**
 * Where a message's dedup key comes from: the same forms as every oncely adapter's `key`
 * option (see docs/decisions/0005-one-key-vocabulary.md).
 *
 * - `'offset'`: where the message sits, `topic/partition/offset`. Catches every
 *   redelivery of the same record (after a crash, a failed commit or a rebalance), not a
 *   producer's retry, which writes a new record at a new offset.
 * - `{ header: 'idempotency-key' }`: a header the producer sets once per logical event,
 *   as `topic/<header value>`. Catches producer duplicates too. A message without the
 *   header, or with differing copies of it, is a {@link MessageKeyError}.
 * - `{ field: 'order.id' }`: a field of the JSON value (`$.order.id` and `items[0].id`
 *   also work), as `topic/<field value>`. A value that is missing or not JSON, or a field
 *   that is absent or not a string or finite number, is a {@link MessageKeyError}.
 * - a function of `{ topic, partition, message }` returning the key as it is.
 *
 * @default 'offset'
 * @example
 * createEachMessageHandler({ ..., key: { header: 'idempotency-key' } });
 */
export type MessageKey<M extends KafkaMessage = KafkaMessage> =
  | 'offset'
  // The `never` members make naming both a type error, not just a runtime one.
  | { readonly field: string; readonly header?: never }
  | { readonly header: string; readonly field?: never }
  | MessageKeyFn<M>;

/** The Kafka spelling of the shared `key` option. Internal. */
export const KAFKA_KEY_SHAPE: KeyOptionShape = {
  ids: ['offset'],
  fieldHost: 'value',
  namedHost: 'header',
};

/** Reads one message's key, or throws a {@link MessageKeyError} with its position. Internal. */
export type KeyReader<M extends KafkaMessage = KafkaMessage> = (source: KeySource<M>) => string;

/**
 * Turns the `key` option into a reader, validating it once, at construction; a bad
 * option throws `InvalidOptionError('key')`. Internal.
 */
export function keyReader<M extends KafkaMessage>(option: MessageKey<M> | undefined): KeyReader<M> {
  const key = parseKeyOption<MessageKeyFn<M>>(option ?? 'offset', KAFKA_KEY_SHAPE);
  switch (key.form) {
    case 'id':
      return ({ topic, partition, message }) => `${topic}/${partition}/${message.offset}`;
    case 'named':
      return headerReader(key.name, key.source);
    case 'field':
      return fieldReader(key.field, key.read, key.source);
    case 'function':
      return (source) => readKey(key.fn, source);
  }
}

function headerReader<M extends KafkaMessage>(name: string, source: string): KeyReader<M> {
  return ({ topic, partition, message }) => {
    const position = { topic, partition, offset: message.offset };
    const raw = message.headers?.[name];
    const values = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).map(text);
    const value = values[0];
    if (value === undefined || value.length === 0) {
      throw new MessageKeyError(
        `Message ${describe(position)} has no "${name}" header to key it by`,
        'missing_header',
        position,
        undefined,
        source,
      );
    }
    if (values.some((other) => other !== value)) {
      throw new MessageKeyError(
        `Message ${describe(position)} has ${values.length} different "${name}" headers`,
        'invalid_key',
        position,
        undefined,
        source,
      );
    }
    return `${topic}/${value}`;
  };
}

function fieldReader<M extends KafkaMessage>(
  field: string,
  readField: (value: unknown) => unknown,
  source: string,
): KeyReader<M> {
  return ({ topic, partition, message }) => {
    const position = { topic, partition, offset: message.offset };
    if (message.value === null || message.value === undefined) {
      throw new MessageKeyError(
        `Message ${describe(position)} has no value to read "${field}" from`,
        'missing_value',
        position,
        undefined,
        source,
      );
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text(message.value));
    } catch (cause) {
      throw new MessageKeyError(
        `Message ${describe(position)} is not JSON, so "${field}" cannot be read`,
        'unparseable_value',
        position,
        cause,
        source,
      );
    }
    const key = fieldKeyText(readField(parsed));
    if (key === undefined || key.length === 0) {
      throw new MessageKeyError(
        `Message ${describe(position)} has no string or number at "${field}"`,
        'missing_field',
        position,
        undefined,
        source,
      );
    }
    return `${topic}/${key}`;
  };
}

/**
 * Runs a key function and makes sure its answer is a usable key, turning any
 * failure into a {@link MessageKeyError} with the message's position.
 */
function readKey<M extends KafkaMessage>(keyOf: MessageKeyFn<M>, source: KeySource<M>): string {
  const position = {
    topic: source.topic,
    partition: source.partition,
    offset: source.message.offset,
  };
  let key: unknown;
  try {
    key = keyOf(source);
  } catch (error) {
    if (error instanceof MessageKeyError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new MessageKeyError(
      `The key function failed for message ${describe(position)}: ${reason}`,
      'invalid_key',
      position,
      error,
    );
  }
  if (typeof key !== 'string' || key.length === 0) {
    throw new MessageKeyError(
      `The key function returned ${key === '' ? 'an empty string' : typeof key} for message ${describe(position)}, expected a non-empty string`,
      'invalid_key',
      position,
    );
  }
  return key;
}

function text(value: Buffer | string): string {
  return typeof value === 'string' ? value : value.toString('utf8');
}

function describe(position: { topic: string; partition: number; offset: string }): string {
  return `${position.topic}/${position.partition}@${position.offset}`;
}

/**
 * The record a poison message's dead-lettering is claimed under, so that a redelivery
 * (after a crash or a rebalance before the commit) does not dead-letter it twice:
 * `dead-letter:topic/partition/offset@timestamp`. The prefix cannot collide with the
 * built-in key forms, which start with the topic (Kafka topic names have no `:`); the
 * timestamp keeps a recreated topic's new message at a reused offset from matching an
 * old record. Internal.
 */
export function deadLetterKey({ topic, partition, message }: KeySource): string {
  return `dead-letter:${topic}/${partition}/${message.offset}@${message.timestamp ?? ''}`;
}
