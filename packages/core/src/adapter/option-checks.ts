/**
 * Option checks for adapters and stores: each throws {@link InvalidOptionError} naming the
 * option and showing the bad value, so every package reports a bad option the same way.
 * Call them once, at construction.
 */
import { type Duration, parseDuration } from '../duration.js';
import { InvalidOptionError } from '../errors.js';
import { describeValue } from './describe-value.js';

/** Throws unless `value` is a plain object (the options bag itself, or a nested one). */
export function checkObject<T>(name: string, value: T): asserts value is T & object {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new InvalidOptionError(name, `expected an object, got ${describeValue(value)}`);
  }
}

/** Throws unless `value` is a function; `what` describes its signature for the message. */
export function requireFunction(name: string, value: unknown, what = 'a function'): void {
  if (typeof value !== 'function') {
    throw new InvalidOptionError(name, `expected ${what}, got ${describeValue(value)}`);
  }
}

/** Like {@link requireFunction}, but `undefined` passes. */
export function optionalFunction(name: string, value: unknown, what = 'a function'): void {
  if (value !== undefined) requireFunction(name, value, what);
}

/** Returns `value` (or `fallback` when undefined) once it is a non-empty string. */
export function nonEmptyString(name: string, value: unknown, fallback?: string): string {
  const actual = value ?? fallback;
  if (typeof actual !== 'string' || actual.length === 0) {
    throw new InvalidOptionError(name, `expected a non-empty string, got ${describeValue(value)}`);
  }
  return actual;
}

/** Returns `value` (or `fallback` when undefined) once it is an integer of at least `min`. */
export function positiveInteger(name: string, value: unknown, fallback?: number, min = 1): number {
  const actual = value ?? fallback;
  if (typeof actual !== 'number' || !Number.isInteger(actual) || actual < min) {
    const wanted = min === 1 ? 'a positive integer' : `an integer of at least ${min}`;
    throw new InvalidOptionError(name, `expected ${wanted}, got ${describeValue(value)}`);
  }
  return actual;
}

/** Returns `value` (or `fallback`) once it is a boolean. */
export function optionalBoolean(name: string, value: unknown, fallback: boolean): boolean {
  const actual = value ?? fallback;
  if (typeof actual !== 'boolean') {
    throw new InvalidOptionError(name, `expected true or false, got ${describeValue(value)}`);
  }
  return actual;
}

/** Returns `value` (or `fallback`) once it is one of `choices`. */
export function oneOf<const C extends readonly unknown[]>(
  name: string,
  value: unknown,
  choices: C,
  fallback?: C[number],
): C[number] {
  const actual = value ?? fallback;
  if (!choices.includes(actual)) {
    const list = choices.map(describeValue).join(', ');
    throw new InvalidOptionError(name, `expected one of ${list}, got ${describeValue(value)}`);
  }
  return actual;
}

/**
 * Returns a positive duration in ms (a number of ms, or `'30s'`, `'5m'`, `'24h'`), from
 * `value` or `fallback` when `value` is undefined.
 */
export function positiveDuration(name: string, value: unknown, fallback?: Duration): number {
  const actual = value ?? fallback;
  const ms = parseDuration(actual);
  if (ms === undefined || !(ms > 0)) {
    throw new InvalidOptionError(
      name,
      `expected a positive duration (ms, or '30s', '5m', '24h'), got ${describeValue(value)}`,
    );
  }
  return ms;
}
