import { InvalidInputError } from '@oncely/core';

const decoder = new TextDecoder('utf-8', { fatal: true });

/** Decodes a body as UTF-8 JSON; a malformed body is an `InvalidInputError` (400). */
export function parseJsonBody(body: Uint8Array, provider: string): unknown {
  try {
    return JSON.parse(decoder.decode(body));
  } catch (cause) {
    throw new InvalidInputError(`The ${provider} request body is not valid UTF-8 JSON`, { cause });
  }
}
