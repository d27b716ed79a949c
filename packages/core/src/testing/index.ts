/**
 * `@oncely/core/testing`: the store conformance suites. Every store, ours or yours,
 * calls {@link describeStoreConformance} (dedup stores) or
 * {@link describeWatermarkStoreConformance} (watermark stores) from its own tests, so
 * "a store" means the same thing everywhere.
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
