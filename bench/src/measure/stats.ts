/**
 * The value below which `p` percent of `values` fall (nearest rank on a sorted copy).
 * Returns `NaN` for no values, so an empty run can never pass for a fast one.
 *
 * @example
 * percentile([5, 1, 3, 2, 4], 50); // 3
 * percentile([5, 1, 3, 2, 4], 99); // 5
 */
export function percentile(values: readonly number[], p: number): number {
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be within 0..100, got ${p}`);
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] as number;
}

/**
 * The median of `values` (the mean of the middle two for an even count).
 *
 * @example
 * median([4, 1, 3, 2]); // 2.5
 */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** Latency figures of one run, in the unit of the samples. */
export interface LatencySummary {
  readonly count: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

/**
 * Summarizes latency samples.
 *
 * @example
 * summarizeLatencies([2, 1, 3]); // { count: 3, p50: 2, p99: 3, max: 3 }
 */
export function summarizeLatencies(samples: readonly number[]): LatencySummary {
  return {
    count: samples.length,
    p50: percentile(samples, 50),
    p99: percentile(samples, 99),
    max: samples.length === 0 ? Number.NaN : Math.max(...samples),
  };
}
