import type { RunContext } from './context.js';
import type { RunIdentity } from './engine.js';
import type { Lease } from './lease.js';

const addEffectOutsideTransaction = (): never => {
  throw new TypeError('addEffect is only available in transactional mode (transactional: true)');
};

/**
 * The {@link RunContext} of a claimed run. A class rather than an object literal:
 * the lazy `signal` getter lives on the prototype, so making a context costs a few
 * field stores instead of a slow accessor literal and an `AbortController` per run
 * (together most of the engine's own time per new key on the in-memory store).
 * Internal.
 */
export class ClaimContext implements RunContext {
  readonly key: string;
  readonly storeKey: string;
  // Own properties, so they keep working when destructured from the context.
  readonly extendLease: (leaseMs?: number) => Promise<void>;
  readonly addEffect: (effect: unknown) => void = addEffectOutsideTransaction;
  readonly #lease: Lease;

  constructor(
    id: RunIdentity,
    readonly token: string,
    lease: Lease,
  ) {
    this.key = id.key;
    this.storeKey = id.storeKey;
    this.#lease = lease;
    this.extendLease = (leaseMs) => lease.extend(leaseMs);
  }

  get signal(): AbortSignal {
    return this.#lease.signal;
  }
}
