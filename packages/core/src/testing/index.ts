/**
 * `@oncely/core/testing`: the store conformance suites and the store test kit. Every
 * store, ours or yours, calls {@link describeStoreConformance} (dedup stores) or
 * {@link describeWatermarkStoreConformance} (watermark stores) from its own tests, so
 * "a store" means the same thing everywhere. {@link bindStore}, {@link spyStore} and
 * {@link spyWatermarkStore} wrap a store to replace, count, fail or stall its operations.
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
export {
  describeWatermarkStoreConformance,
  type WatermarkConformanceOptions,
  type WatermarkStoreFactory,
  type WatermarkStoreUnderTest,
} from './conformance-watermark.js';
export {
  bindStore,
  type DedupStoreOperation,
  type SpyStoreOptions,
  type Stall,
  type StoreSpy,
  spyStore,
  spyWatermarkStore,
  type WatermarkStoreOperation,
} from './store-spies.js';
