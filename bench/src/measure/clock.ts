/**
 * A monotonic clock in milliseconds with sub-microsecond resolution, for measuring
 * durations (never for timestamps).
 *
 * @example
 * const started = nowMs();
 * await work();
 * const tookMs = nowMs() - started;
 */
export function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}
