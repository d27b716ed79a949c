import { describe, expect, it } from 'vitest';
import { median, percentile, summarizeLatencies } from '../src/measure/stats.js';

describe('percentile', () => {
  it('takes the nearest rank of a sorted copy', () => {
    const values = [50, 10, 40, 20, 30];
    expect(percentile(values, 50)).toBe(30);
    expect(percentile(values, 99)).toBe(50);
    expect(percentile(values, 0)).toBe(10);
    expect(values).toEqual([50, 10, 40, 20, 30]);
  });

  it('finds the p99 of 1000 samples at the 990th', () => {
    const values = Array.from({ length: 1000 }, (_, index) => 1000 - index);
    expect(percentile(values, 99)).toBe(990);
  });

  it('gives NaN for no samples and refuses a percentile outside 0..100', () => {
    expect(percentile([], 50)).toBeNaN();
    expect(() => percentile([1], 101)).toThrow(RangeError);
  });
});

describe('median', () => {
  it('averages the middle two of an even count', () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([3, 1, 2])).toBe(2);
    expect(median([])).toBeNaN();
  });
});

describe('summarizeLatencies', () => {
  it('reports count, p50, p99 and max', () => {
    expect(summarizeLatencies([3, 1, 2])).toEqual({ count: 3, p50: 2, p99: 3, max: 3 });
  });
});
