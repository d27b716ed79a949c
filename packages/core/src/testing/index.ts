/**
 * `@oncely/core/testing`: the store conformance suite. Every store, ours or yours,
 * calls {@link describeStoreConformance} from its own tests, so "a store" means the
 * same thing everywhere.
 *
 * @example
 * import { describeStoreConformance } from '@oncely/core/testing';
 * describeStoreConformance('MemoryStore', () => ({ store: new MemoryStore() }));
 */
export {
  type ConformanceOptions,
  describeStoreConformance,
  type StoreFactory,
  type StoreUnderTest,
} from './conformance.js';
