import { MemoryStore } from '@oncely/core';
import type { Consumer, ConsumerRunConfig, EachBatchHandler, EachMessageHandler } from 'kafkajs';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { MemoryWatermarkStore } from '../src/index.js';
import {
  createEachBatchHandler,
  createEachMessageHandler,
  createWatermarkBatchHandler,
  type RebalanceEvents,
} from '../src/kafkajs/index.js';

// Compile-time: the wrappers' structural payload types accept what kafkajs passes.
// `npm run typecheck` fails if they drift apart.
describe('kafkajs types', () => {
  it('takes the handlers as eachMessage and eachBatch', () => {
    const store = new MemoryStore();
    const eachMessage = createEachMessageHandler({ store, groupId: 'g', handler: () => {} });
    const eachBatch = createEachBatchHandler({ store, groupId: 'g', handler: () => {} });
    const watermark = createWatermarkBatchHandler({
      watermarks: new MemoryWatermarkStore(),
      groupId: 'g',
      handler: () => {},
    });
    expectTypeOf(eachMessage).toMatchTypeOf<EachMessageHandler>();
    expectTypeOf(eachBatch).toMatchTypeOf<EachBatchHandler>();
    expectTypeOf(watermark).toMatchTypeOf<EachBatchHandler>();
    const configs: ConsumerRunConfig[] = [
      { eachMessage },
      { eachBatchAutoResolve: false, eachBatch },
      { eachBatch: watermark },
    ];
    expect(configs).toHaveLength(3);
  });

  it("takes a kafkajs consumer as the watermark handler's rebalance events", () => {
    expectTypeOf<Consumer>().toMatchTypeOf<RebalanceEvents>();
  });
});
