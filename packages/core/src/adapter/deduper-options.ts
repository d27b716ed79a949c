/**
 * A deduper's options checked without making the deduper, for an adapter that can only
 * make it later (a Lambda's default namespace is its function name, known at the first
 * invocation) but must refuse bad options at construction.
 */
import type { Clock } from '../clock.js';
import type { OncelyLogger } from '../events.js';
import { type DeduperOptions, resolveOptions } from '../options.js';
import { checkObject } from './option-checks.js';

/** Deduper options whose `namespace` may be left for later. */
export type DeduperOptionsWithoutNamespace<TInput = unknown> = Omit<
  DeduperOptions<TInput>,
  'namespace'
> & { readonly namespace?: string };

/**
 * What a deduper resolves from its options, read-only: the view a `Deduper` exposes
 * (`namespace`, `leaseMs`, `ttlMs`, `clock`, `logger`), so an adapter never re-derives a
 * default the deduper settles.
 */
export interface DeduperSettings {
  /** The namespace given, or `undefined` when it was left for later. */
  readonly namespace: string | undefined;
  /** The lease, in ms. */
  readonly leaseMs: number;
  /** The dedup window, in ms. */
  readonly ttlMs: number;
  /** The time source (`options.clock`, else the system clock). */
  readonly clock: Clock;
  /** The logger (`options.logger`, else the silent logger). */
  readonly logger: OncelyLogger;
}

/** Stands in for a namespace left for later; only the validation sees it. */
const LATER = 'oncely';

/**
 * Checks deduper options as `createDeduper` does (throwing the same `InvalidOptionError`s)
 * without making a deduper, and returns what they resolve to. `namespace` may be left
 * out, for an adapter that knows it only later; given, it is checked too.
 *
 * @example
 * const settings = checkDeduperOptions({ store, lease: '30s' }); // throws now if bad
 * settings.leaseMs; // 30000
 * settings.logger.warn('...'); // options.logger, else the console logger
 */
export function checkDeduperOptions<TInput>(
  options: DeduperOptionsWithoutNamespace<TInput>,
): DeduperSettings {
  checkObject('options', options);
  const given = options.namespace;
  const resolved = resolveOptions<TInput>({
    ...options,
    namespace: given === undefined ? LATER : given,
  });
  return {
    namespace: given === undefined ? undefined : resolved.namespace,
    leaseMs: resolved.leaseMs,
    ttlMs: resolved.ttlMs,
    clock: resolved.clock,
    logger: resolved.logger,
  };
}
