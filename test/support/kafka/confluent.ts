/**
 * The Confluent driver of the Kafka scenario suite and bench: `@confluentinc/kafka-javascript`'s
 * KafkaJS API (`KafkaJS.Kafka`) running oncely's `@oncely/kafka/confluent` handlers. The
 * client is a native addon built into `test/clients/confluent` by the root `postinstall`
 * (see `install.mjs` there), so it is loaded from that folder.
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type * as Confluent from '@confluentinc/kafka-javascript';
import {
  createEachBatchHandler,
  createEachMessageHandler,
  createRebalanceSignal,
  createWatermarkBatchHandler,
} from '@oncely/kafka/confluent';
import {
  FAST_GROUP,
  type KafkaClientDriver,
  type Member,
  type MemberSpec,
  reportErrors,
} from './driver.js';

type KafkaJS = typeof Confluent.KafkaJS;

/** The client, from the folder the postinstall built it in. Throws if it is missing or broken. */
export function loadConfluent(): KafkaJS {
  // By its folder, not its name: tsx would map the bare name to its types (tsconfig paths).
  const folder = new URL(
    '../../clients/confluent/node_modules/@confluentinc/kafka-javascript/',
    import.meta.url,
  );
  const require = createRequire(import.meta.url);
  return (require(fileURLToPath(folder)) as typeof Confluent).KafkaJS;
}

/** Runs members as Confluent KafkaJS-API consumers of `brokers`. */
export function confluentDriver(brokers: readonly string[]): KafkaClientDriver {
  const KafkaJS = loadConfluent();
  const kafka = new KafkaJS.Kafka({
    kafkaJS: { brokers: [...brokers], logLevel: KafkaJS.logLevel.NOTHING },
  });
  const running = new Set<Confluent.KafkaJS.Consumer>();
  const stop = async (consumer: Confluent.KafkaJS.Consumer) => {
    running.delete(consumer);
    await consumer.disconnect();
  };
  return {
    name: 'confluent',
    rebalanceCutsBatches: false,
    async start(spec: MemberSpec): Promise<Member> {
      const rebalances = createRebalanceSignal();
      const rebalanceTimeout = spec.rebalanceTimeout ?? FAST_GROUP.rebalanceTimeout;
      const { sessionTimeout } = FAST_GROUP;
      const consumer = kafka.consumer({
        kafkaJS: {
          groupId: spec.groupId,
          fromBeginning: true,
          // Confluent's run() refuses autoCommit: it is consumer config here.
          autoCommit: spec.commit ?? true,
          autoCommitInterval: 500,
          // librdkafka requires max.poll.interval.ms >= session.timeout.ms.
          sessionTimeout: Math.min(sessionTimeout, rebalanceTimeout),
          heartbeatInterval: FAST_GROUP.heartbeatInterval,
          maxWaitTimeInMs: FAST_GROUP.maxWaitTimeInMs,
          // librdkafka's max.poll.interval.ms, also its rebalance timeout (the client doubles
          // it for its message cache): a member stuck in a handler that long leaves the group.
          rebalanceTimeout,
        },
        rebalance_cb: rebalances.rebalance_cb,
        // Watermark mode writes once per batch: the client's default of 32 messages a batch
        // would make that a write per 32 messages (see the kafka README's Confluent section).
        ...(spec.mode.kind === 'watermark' ? { 'js.consumer.max.batch.size': 1024 } : {}),
      });
      running.add(consumer);
      await consumer.connect();
      await consumer.subscribe({ topics: [spec.topic] });
      await consumer.run(runConfig(spec, rebalances));
      return {
        stop: () => stop(consumer),
        // librdkafka leaves the group on its own once a handler outlasts max.poll.interval.ms.
        evict: async () => {},
      };
    },
    async close() {
      await Promise.allSettled([...running].map(stop));
    },
  };
}

function runConfig(
  spec: MemberSpec,
  rebalances: ReturnType<typeof createRebalanceSignal>,
): Confluent.KafkaJS.ConsumerRunConfig {
  const { mode } = spec;
  switch (mode.kind) {
    case 'bare':
      return {
        eachMessage: reportErrors(spec, async ({ topic, partition, message }) => {
          await mode.handler({ topic, partition, message });
        }),
      };
    case 'message':
      return { eachMessage: reportErrors(spec, createEachMessageHandler(mode.options)) };
    case 'batch': {
      const options = { ...mode.options, eachBatchAutoResolve: false };
      return {
        eachBatchAutoResolve: false,
        eachBatch: reportErrors(spec, createEachBatchHandler(options)),
      };
    }
    case 'watermark': {
      const options = { ...mode.options, rebalances, eachBatchAutoResolve: false };
      return {
        eachBatchAutoResolve: false,
        eachBatch: reportErrors(spec, createWatermarkBatchHandler(options)),
      };
    }
  }
}
