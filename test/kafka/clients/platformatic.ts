/**
 * The @platformatic/kafka driver of the Kafka scenario suite: a `Consumer` per member, its
 * `MessagesStream` run by `@oncely/kafka/platformatic`. Loaded only on Node 22+ (the
 * client's engines), see vitest.config.ts.
 */
import { randomUUID } from 'node:crypto';
import { consumeStream, consumeStreamWithWatermarks } from '@oncely/kafka/platformatic';
import { kafkaBrokers } from '@oncely/test-support/servers';
import { Consumer } from '@platformatic/kafka';
import type { KafkaHarness } from '../harness.js';
import type { KafkaClientDriver, Member } from './driver.js';

/** Runs members as @platformatic/kafka consumers; `harness` is not used (it is kafkajs's). */
export function platformaticDriver(_harness: KafkaHarness): KafkaClientDriver {
  const running = new Set<Member>();
  return {
    name: '@platformatic/kafka',
    async start(spec) {
      const rebalanceTimeout = spec.rebalanceTimeout ?? 6_000;
      const consumer = new Consumer({
        clientId: `oncely-test-${randomUUID().slice(0, 8)}`,
        bootstrapBrokers: kafkaBrokers(),
        groupId: spec.groupId,
        // The harness's fast group (see FAST_GROUP): rebalances take seconds. The client
        // wants the rebalance timeout at least the session timeout.
        sessionTimeout: Math.min(6_000, rebalanceTimeout),
        rebalanceTimeout,
        heartbeatInterval: 300,
        maxWaitTime: 100,
      });
      const stream = await consumer.consume({
        topics: [spec.topic],
        autocommit: false,
        mode: 'committed',
        fallbackMode: 'earliest',
      });
      const run = { commit: spec.commit ?? true, onError: spec.onError, retryDelay: 100 };
      const { mode } = spec;
      const consumption =
        mode.kind === 'watermark'
          ? consumeStreamWithWatermarks(stream, { ...mode.options, ...run })
          : consumeStream(stream, {
              ...mode.options,
              ...run,
              ...(mode.kind === 'message' ? { claimAhead: 0 } : {}),
            });
      const member: Member = {
        async stop() {
          running.delete(member);
          await consumption.stop();
          await consumer.close(true);
        },
        // Leaves the group at once, its handlers still running: what an evicted member is.
        async evict() {
          await consumer.close(true);
        },
      };
      running.add(member);
      return member;
    },
    async close() {
      await Promise.allSettled([...running].map((member) => member.stop()));
    },
  };
}
