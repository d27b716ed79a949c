import type { Engine, RunIdentity } from './engine.js';
import { ResultTooLargeError, SerializationError } from './errors.js';

/** A serialized result, or the error that stops it from being stored. */
export type PreparedResult =
  | { readonly text: string | undefined; readonly error?: undefined }
  | { readonly text: undefined; readonly error: ResultTooLargeError | SerializationError };

/**
 * Serializes the handler's result for storage and enforces the size cap. The
 * effect has already run by now, so a failure here must not lose the record:
 * callers complete without the result and then throw the error.
 */
export function prepareResult(
  engine: Engine<unknown>,
  id: RunIdentity,
  value: unknown,
): PreparedResult {
  const { storeResult, serializer, maxResultBytes } = engine.options;
  if (!storeResult) return { text: undefined };
  let text: string;
  try {
    text = serializer.serialize(value);
  } catch (cause) {
    const message = `Result of key "${id.key}" could not be serialized`;
    return { text: undefined, error: new SerializationError(message, { ...id, cause }) };
  }
  if (typeof text !== 'string') {
    const message = `Serializer returned ${typeof text} for key "${id.key}", expected a string`;
    return { text: undefined, error: new SerializationError(message, id) };
  }
  // Most results are far below the cap; only measure bytes when the length might exceed it.
  const size = text.length * 3 <= maxResultBytes ? text.length : Buffer.byteLength(text, 'utf8');
  if (size > maxResultBytes) {
    const message = `Result of key "${id.key}" is ${size} bytes, over the cap of ${maxResultBytes} bytes (maxResultBytes); the effect was recorded without its result`;
    return { text: undefined, error: new ResultTooLargeError(message, size, maxResultBytes, id) };
  }
  return { text };
}
