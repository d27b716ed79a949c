/**
 * Option checks, each throwing `InvalidOptionError` with the option's name and the bad
 * value. Named as in core's adapter kit (`@oncely/core/adapter`), so moving to it is a
 * change of import. Internal.
 */
import { InvalidOptionError } from '@oncely/core';

/** A bad value as a short string for a message: strings quoted, objects as JSON. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string')
    return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (typeof value === 'function') return value.name ? `function ${value.name}` : 'a function';
  if (value === null || typeof value !== 'object') return String(value);
  try {
    const json = JSON.stringify(value) ?? Object.prototype.toString.call(value);
    return json.length > 60 ? `${json.slice(0, 57)}...` : json;
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/** Throws unless `value` is a plain object. */
export function checkObject<T>(name: string, value: T): asserts value is T & object {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new InvalidOptionError(name, `expected an object, got ${describeValue(value)}`);
  }
}

/** Returns `value` (or `fallback` when undefined) once it is an integer of at least 1. */
export function positiveInteger(name: string, value: unknown, fallback?: number): number {
  const actual = value ?? fallback;
  if (typeof actual !== 'number' || !Number.isInteger(actual) || actual < 1) {
    throw new InvalidOptionError(name, `expected a positive integer, got ${describeValue(value)}`);
  }
  return actual;
}
