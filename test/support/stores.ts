/**
 * Test doubles built on the embedded store, for unit tests that need one store operation
 * to misbehave (fail, stall, count) while the rest work.
 *
 * @example
 * import { bindStore } from '../../../test/support/stores.js';
 *
 * const inner = new MemoryStore();
 * const failing: DedupStore = { ...bindStore(inner), claim: () => Promise.reject(cause) };
 */
import type { DedupStore } from '@oncely/core';

/**
 * The single-call operations of `store` (not its batch operations or declared limits) as
 * own properties bound to it, so a test can spread the
 * result and replace one (spreading the class instance itself would drop its methods).
 *
 * @example
 * const slow: DedupStore = { ...bindStore(inner), complete: slowComplete };
 */
export function bindStore(store: DedupStore): DedupStore {
  return {
    name: store.name,
    claim: store.claim.bind(store),
    complete: store.complete.bind(store),
    release: store.release.bind(store),
    extendLease: store.extendLease.bind(store),
    get: store.get.bind(store),
    delete: store.delete.bind(store),
    ...(store.commit ? { commit: store.commit.bind(store) } : {}),
  };
}
