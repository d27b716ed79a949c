import type { IncomingRequest } from '../src/index.js';

/** An `IncomingRequest` for calling a provider directly. */
export function incoming(
  body: string,
  headers: Record<string, string>,
  now = Date.now(),
  init: { method?: string; url?: string } = {},
): IncomingRequest {
  const request = new Request(init.url ?? 'https://receiver.test/webhook', {
    method: init.method ?? 'POST',
    headers,
    body,
  });
  return { request, body: new TextEncoder().encode(body), now };
}

/** Runs `identify` and returns the error it throws (failing when it does not). */
export async function rejection(run: () => unknown): Promise<Error> {
  try {
    await run();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the provider to reject the request');
}
