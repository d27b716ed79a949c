import { describeWatermarkStoreConformance } from '@oncely/core/testing';
import { MemoryWatermarkStore } from '../src/index.js';

describeWatermarkStoreConformance('MemoryWatermarkStore', () => ({
  store: new MemoryWatermarkStore(),
}));
