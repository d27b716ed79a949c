/** The kafkajs driver of the Kafka scenario suite and bench: `consumer.run` with oncely's handlers. */
import {
  createEachBatchHandler,
  createEachMessageHandler,
  createWatermarkBatchHandler,
} from '@oncely/kafka/kafkajs';
import { type Consumer, type ConsumerRunConfig, Kafka, logLevel } from 'kafkajs';
import { FAST_GROUP, type KafkaClientDriver, type MemberSpec, reportErrors } from './driver.js';

/** Runs members as kafkajs consumers of `brokers`. */
export function kafkajsDriver(brokers: readonly string[]): KafkaClientDriver {
  const kafka = new Kafka({
    clientId: 'oncely-test',
    brokers: [...brokers],
    logLevel: logLevel.NOTHING,
  });
  const consumers = new Set<Consumer>();
  const stop = async (consumer: Consumer) => {
    await consumer.disconnect();
    consumers.delete(consumer);
  };
  return {
    name: 'kafkajs',
    async start(spec) {
      const consumer = kafka.consumer({
        groupId: spec.groupId,
        ...FAST_GROUP,
        ...(spec.rebalanceTimeout === undefined ? {} : { rebalanceTimeout: spec.rebalanceTimeout }),
        retry: { initialRetryTime: 100, maxRetryTime: 1_000, retries: 5 },
      });
      consumers.add(consumer);
      await consumer.connect();
      await consumer.subscribe({ topic: spec.topic, fromBeginning: true });
      await consumer.run(runConfig(spec, consumer));
      return {
        stop: () => stop(consumer),
        // It cannot rejoin while eachBatch runs: the rebalance timeout evicts it.
        evict: async () => {},
      };
    },
    async close() {
      await Promise.allSettled([...consumers].map(stop));
    },
  };
}
function runConfig(spec: MemberSpec, consumer: Consumer): ConsumerRunConfig {
  const autoCommit = spec.commit ?? true;
  const observe = <P>(handle: (payload: P) => Promise<void>) => reportErrors(spec, handle);
  const { mode } = spec;
  switch (mode.kind) {
    case 'bare':
      return {
        autoCommit,
        eachMessage: observe(async ({ topic, partition, message }) => {
          await mode.handler({ topic, partition, message });
        }),
      };
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
