import type { Engine, RunIdentity } from './engine.js';
import { FingerprintMismatchError, InvalidInputError } from './errors.js';
import { fingerprintOf } from './fingerprint.js';
import type { DedupRecord } from './store.js';

/** The input's fingerprint, when the deduper has a `fingerprint` picker. */
export function fingerprintFor<TInput>(
  engine: Engine<TInput>,
  id: RunIdentity,
  input: TInput | undefined,
): string | undefined {
  const pick = engine.options.fingerprint;
  if (pick === undefined) return undefined;
  try {
    return fingerprintOf(pick(input as TInput));
  } catch (cause) {
    throw new InvalidInputError(`Could not fingerprint the input of key "${id.key}"`, {
      ...id,
      cause,
    });
  }
}

/**
 * Throws when a duplicate's payload differs from the recorded one: replaying the
 * first payload's result for a different payload would hide a client bug.
 */
export function assertSameFingerprint(
  id: RunIdentity,
  record: DedupRecord,
  fingerprint: string | undefined,
): void {
  if (
    fingerprint === undefined ||
    record.fingerprint === undefined ||
    record.fingerprint === fingerprint
  )
    return;
  throw new FingerprintMismatchError(
    `Key "${id.key}" was already used with a different payload (fingerprint mismatch)`,
    record.fingerprint,
    fingerprint,
    { ...id, record },
  );
}
