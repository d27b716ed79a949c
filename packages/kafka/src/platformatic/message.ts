import type { KafkaHeaders, KafkaMessage } from '../types.js';
import type { PlatformaticMessage } from './types.js';

/**
 * What the handler receives as `message`: the package's {@link KafkaMessage} shape (offset
 * as a decimal string, headers as an object, value a Buffer, a string or null), with the
 * client's own message as `raw` (its bigint offset, deserialized key and value, `metadata`).
 */
export interface PlatformaticKafkaMessage<R extends PlatformaticMessage = PlatformaticMessage>
  extends KafkaMessage {
  readonly raw: R;
}

/**
 * Converts a platformatic message to the package's message shape. Internal. The headers are
 * converted when first read: most handlers and keys never look at them, and a fast client
 * delivers hundreds of thousands of messages a second.
 */
export function toKafkaMessage<R extends PlatformaticMessage>(raw: R): PlatformaticKafkaMessage<R> {
  return new StreamMessage(raw);
}

class StreamMessage<R extends PlatformaticMessage> implements PlatformaticKafkaMessage<R> {
  readonly key: Buffer | string | null;
  readonly value: Buffer | string | null;
  readonly offset: string;
  readonly timestamp: string | undefined;
  #headers: KafkaHeaders | undefined;

  constructor(readonly raw: R) {
    this.key = bytes(raw.key);
    this.value = bytes(raw.value);
    this.offset = raw.offset.toString();
    this.timestamp = raw.timestamp?.toString();
  }

  get headers(): KafkaHeaders {
    this.#headers ??= headersOf(this.raw);
    return this.#headers;
  }
}

/**
 * The key and value as the key reader takes them. A value of a custom deserializer (an
 * object) is not bytes: it reads as null here, and stays in `raw` for a key function.
 */
function bytes(value: unknown): Buffer | string | null {
  return Buffer.isBuffer(value) || typeof value === 'string' ? value : null;
}

/** Headers as an object: names as strings, a repeated name as an array in order. */
function headersOf(raw: PlatformaticMessage): KafkaHeaders {
  const entries = raw.headerEntries ?? [...(raw.headers ?? new Map())];
  const headers: Record<string, Buffer | string | (Buffer | string)[]> = {};
  for (const [name, value] of entries) {
    const text = String(name);
    const converted = bytes(value) ?? '';
    const previous = headers[text];
    if (previous === undefined) headers[text] = converted;
    else headers[text] = Array.isArray(previous) ? [...previous, converted] : [previous, converted];
  }
  return headers;
}
