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
 * Keys a message by where it sits: `topic/partition/offset`. Catches every
 * redelivery of the same record (after a crash, a failed commit or a rebalance),
 * not a producer's retry, which writes a new record at a new offset.
 *
 * @example
 * createEachMessageHandler({ ..., key: keyByOffset() }); // the default
 */
export function keyByOffset<M extends KafkaMessage = KafkaMessage>(): MessageKeyFn<M> {
  return ({ topic, partition, message }) => `${topic}/${partition}/${message.offset}`;
}

/**
 * Keys a message by a header the producer sets once per logical event (an
 * idempotency key): `topic/<header value>`. Catches producer duplicates too, which
 * carry the same header at new offsets. A message without the header is a
 * {@link MessageKeyError}.
 *
 * @example
 * createEachMessageHandler({ ..., key: keyByHeader('idempotency-key') });
 */
export function keyByHeader<M extends KafkaMessage = KafkaMessage>(name: string): MessageKeyFn<M> {
  if (typeof name !== 'string' || name.length === 0) {
    throw new TypeError('keyByHeader: expected a non-empty header name');
  }
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
        `header ${name}`,
      );
    }
    if (values.some((other) => other !== value)) {
      throw new MessageKeyError(
        `Message ${describe(position)} has ${values.length} different "${name}" headers`,
        'invalid_key',
        position,
        undefined,
        `header ${name}`,
      );
    }
    return `${topic}/${value}`;
  };
}

/**
 * Keys a message by a field of its JSON value, a dotted path such as `'id'` or
 * `'order.id'`: `topic/<field value>`. Catches producer duplicates. A value that is
 * missing or not JSON, or a field that is absent or not a string or finite number,
 * is a {@link MessageKeyError}.
 *
 * @example
 * createEachMessageHandler({ ..., key: keyByValueField('order.id') });
 */
export function keyByValueField<M extends KafkaMessage = KafkaMessage>(
  path: string,
): MessageKeyFn<M> {
  const steps = typeof path === 'string' ? path.split('.') : [];
  if (steps.length === 0 || steps.some((step) => step.length === 0)) {
    throw new TypeError(`keyByValueField: expected a dotted field path, got ${String(path)}`);
  }
  return ({ topic, partition, message }) => {
    const position = { topic, partition, offset: message.offset };
    if (message.value === null || message.value === undefined) {
      throw new MessageKeyError(
        `Message ${describe(position)} has no value to read "${path}" from`,
        'missing_value',
        position,
        undefined,
        `value field ${path}`,
      );
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text(message.value));
    } catch (cause) {
      throw new MessageKeyError(
        `Message ${describe(position)} is not JSON, so "${path}" cannot be read`,
        'unparseable_value',
        position,
        cause,
        `value field ${path}`,
      );
    }
    let field: unknown = parsed;
    for (const step of steps) {
      field =
        field !== null && typeof field === 'object'
          ? (field as Record<string, unknown>)[step]
          : undefined;
    }
    const valid =
      (typeof field === 'string' && field.length > 0) ||
      (typeof field === 'number' && Number.isFinite(field));
    if (!valid) {
      throw new MessageKeyError(
        `Message ${describe(position)} has no string or number at "${path}"`,
        'missing_field',
        position,
        undefined,
        `value field ${path}`,
      );
    }
    return `${topic}/${String(field)}`;
  };
}

/**
 * Runs a key function and makes sure its answer is a usable key, turning any
 * failure into a {@link MessageKeyError} with the message's position. Internal.
 */
export function readKey<M extends KafkaMessage>(
  keyOf: MessageKeyFn<M>,
  source: KeySource<M>,
): string {
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
