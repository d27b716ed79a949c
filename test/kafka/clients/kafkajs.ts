/** The kafkajs driver of the Kafka scenario suite: `consumer.run` with oncely's handlers. */
import {
  createEachBatchHandler,
  createEachMessageHandler,
  createWatermarkBatchHandler,
} from '@oncely/kafka/kafkajs';
import type { Consumer, ConsumerRunConfig } from 'kafkajs';
import type { KafkaHarness } from '../harness.js';
import { type KafkaClientDriver, type MemberSpec, reportErrors } from './driver.js';

/** Runs members as kafkajs consumers made by `harness`. */
export function kafkajsDriver(harness: KafkaHarness): KafkaClientDriver {
  return {
    name: 'kafkajs',
    async start(spec) {
      const consumer = await harness.consume(spec.groupId, spec.topic, (c) => runConfig(spec, c), {
        ...(spec.rebalanceTimeout === undefined ? {} : { rebalanceTimeout: spec.rebalanceTimeout }),
      });
      return { stop: () => harness.stop(consumer) };
    },
    close: () => harness.close(),
  };
}

function runConfig(spec: MemberSpec, consumer: Consumer): ConsumerRunConfig {
  const autoCommit = spec.commit ?? true;
  const observe = <P>(handle: (payload: P) => Promise<void>) => reportErrors(spec, handle);
  const { mode } = spec;
  switch (mode.kind) {
    case 'message':
      return { autoCommit, eachMessage: observe(createEachMessageHandler(mode.options)) };
    case 'batch':
      return {
        autoCommit,
        eachBatchAutoResolve: false,
        eachBatch: observe(
          createEachBatchHandler({ ...mode.options, eachBatchAutoResolve: false }),
        ),
      };
    case 'watermark':
      return {
        autoCommit,
        eachBatchAutoResolve: false,
        eachBatch: observe(
          createWatermarkBatchHandler({ ...mode.options, consumer, eachBatchAutoResolve: false }),
        ),
      };
  }
}
