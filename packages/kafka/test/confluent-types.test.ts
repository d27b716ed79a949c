import type { KafkaJS, LibrdKafkaError } from '@confluentinc/kafka-javascript';
import { MemoryStore } from '@oncely/core';
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  createEachBatchHandler,
  createEachMessageHandler,
  createRebalanceSignal,
  createWatermarkBatchHandler,
} from '../src/confluent/index.js';
import { MemoryWatermarkStore } from '../src/index.js';

// Compile-time: the handlers fit the published types of @confluentinc/kafka-javascript's
// KafkaJS API (resolved from test/clients/confluent, see tsconfig.json), and the rebalance
// signal's callback fits its consumer config. `npm run typecheck` fails if they drift apart.
describe('@confluentinc/kafka-javascript types', () => {
  it('takes the handlers as eachMessage and eachBatch', () => {
    const store = new MemoryStore();
    const eachMessage = createEachMessageHandler({ store, groupId: 'g', handler: () => {} });
    const eachBatch = createEachBatchHandler({ store, groupId: 'g', handler: () => {} });
    const watermark = createWatermarkBatchHandler({
      watermarks: new MemoryWatermarkStore(),
      groupId: 'g',
      rebalances: createRebalanceSignal(),
      handler: () => {},
    });
    expectTypeOf(eachMessage).toMatchTypeOf<KafkaJS.EachMessageHandler>();
    expectTypeOf(eachBatch).toMatchTypeOf<KafkaJS.EachBatchHandler>();
    expectTypeOf(watermark).toMatchTypeOf<KafkaJS.EachBatchHandler>();
    const configs: KafkaJS.ConsumerRunConfig[] = [
      { eachMessage },
      { eachBatchAutoResolve: false, eachBatch },
      { eachBatch: watermark },
    ];
    expect(configs).toHaveLength(3);
  });

  it("puts the rebalance signal's callback in the consumer config, around the user's own", () => {
    const own = (error: LibrdKafkaError, assignment: KafkaJS.TopicPartition[]) => {
      void error;
      return assignment.length > 0 ? undefined : assignment;
    };
    const configs: KafkaJS.ConsumerConstructorConfig[] = [
      { kafkaJS: { groupId: 'g' }, rebalance_cb: createRebalanceSignal().rebalance_cb },
      { kafkaJS: { groupId: 'g' }, rebalance_cb: createRebalanceSignal(own).rebalance_cb },
    ];
    expectTypeOf(createRebalanceSignal(own).rebalance_cb).parameters.toEqualTypeOf<
      Parameters<typeof own>
    >();
    expect(configs).toHaveLength(2);
  });
});
