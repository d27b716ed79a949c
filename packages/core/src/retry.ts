/**
 * Backoff for retries of store calls, shared by the engine (completions) and stores
 * (statements that failed inside a batch).
 */

/** The bounds of an exponential backoff. */
export interface Backoff {
  /** The delay cap before the first retry, in ms. */
  readonly baseMs: number;
  /** No delay grows past this, in ms. */
  readonly maxMs: number;
}

/**
 * The delay before retry number `attempt` (0 = the first retry): "full jitter", a
 * random delay up to `baseMs * 2^attempt` (capped), so callers that failed together
 * do not retry together.
 *
 * @example
 * await sleep(retryDelayMs(attempt, { baseMs: 20, maxMs: 1000 }));
 */
export function retryDelayMs(attempt: number, backoff: Backoff): number {
  const cap = Math.min(backoff.maxMs, backoff.baseMs * 2 ** attempt);
  return Math.max(1, Math.round(Math.random() * cap));
}

// Taken at load, like the coalescer's: a test's fake timers must not freeze a retry.
const realSetTimeout = globalThis.setTimeout;

/** Resolves after `ms` milliseconds of real time. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => realSetTimeout(resolve, ms));
}
