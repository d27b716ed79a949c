/**
 * A small seeded pseudo-random source, so a fault or chaos run can be repeated
 * with the same decisions: the same seed gives the same sequence of draws.
 */
export interface SeededRandom {
  /** The seed this source started from. */
  readonly seed: number;
  /** A float in [0, 1). */
  next(): number;
  /** True with probability `p`. */
  chance(p: number): boolean;
  /** An integer in [min, max], both included. */
  int(min: number, max: number): number;
  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T;
  /** A key of `weights`, drawn in proportion to its (non-negative) weight. */
  weighted<K extends string>(weights: Readonly<Record<K, number>>): K;
}

/**
 * Makes a seeded source (mulberry32: tiny, fast, and good enough to spread faults;
 * never for anything cryptographic).
 *
 * @example
 * const random = seededRandom(42);
 * if (random.chance(0.2)) injectFault();
 */
export function seededRandom(seed: number): SeededRandom {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    seed,
    next,
    chance: (p) => next() < p,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    pick: (items) => {
      if (items.length === 0) throw new RangeError('pick() needs a non-empty list');
      return items[Math.floor(next() * items.length)] as (typeof items)[number];
    },
    weighted: (weights) => {
      const entries = Object.entries(weights) as [keyof typeof weights, number][];
      const total = entries.reduce((sum, [, weight]) => sum + Math.max(0, weight), 0);
      if (total <= 0) throw new RangeError('weighted() needs at least one positive weight');
      let draw = next() * total;
      for (const [key, weight] of entries) {
        draw -= Math.max(0, weight);
        if (draw < 0) return key;
      }
      return entries.findLast(([, weight]) => weight > 0)![0];
    },
  };
}
