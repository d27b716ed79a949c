/**
 * The @platformatic/kafka driver of the Kafka scenario suite and bench: a `Consumer` per
 * member, its `MessagesStream` run by `@oncely/kafka/platformatic` (or read bare). Loaded
 * only on Node 22+ (the client's engines), see vitest.config.ts.
 */
import { randomUUID } from 'node:crypto';
import type { KeySource } from '@oncely/kafka';
import { consumeStream, consumeStreamWithWatermarks } from '@oncely/kafka/platformatic';
import { Consumer, type MessagesStream } from '@platformatic/kafka';
import { FAST_GROUP, type KafkaClientDriver, type Member } from './driver.js';

/** Runs members as @platformatic/kafka consumers of `brokers`. */
export function platformaticDriver(brokers: readonly string[]): KafkaClientDriver {
  const running = new Set<Member>();
  return {
    name: '@platformatic/kafka',
    async start(spec) {
      const rebalanceTimeout = spec.rebalanceTimeout ?? FAST_GROUP.rebalanceTimeout;
      const consumer = new Consumer({
        clientId: `oncely-test-${randomUUID().slice(0, 8)}`,
        bootstrapBrokers: [...brokers],
        groupId: spec.groupId,
        // The fast group timings: rebalances take seconds. The client wants the rebalance
        // timeout at least the session timeout.
        sessionTimeout: Math.min(FAST_GROUP.sessionTimeout, rebalanceTimeout),
        rebalanceTimeout,
        heartbeatInterval: FAST_GROUP.heartbeatInterval,
        maxWaitTime: FAST_GROUP.maxWaitTimeInMs,
      });
      const { mode } = spec;
      const bare = mode.kind === 'bare';
      const stream = await consumer.consume({
        topics: [spec.topic],
        // The bare client commits on its own interval, as a plain consumer would.
        autocommit: bare && (spec.commit ?? true),
        mode: 'committed',
        fallbackMode: 'earliest',
      });
      const run = { commit: spec.commit ?? true, onError: spec.onError, retryDelay: 100 };
      const consumption = bare
        ? readBare(stream, mode.handler)
        : mode.kind === 'watermark'
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

/** The client alone: each message to `handler` in turn, no dedup. */
function readBare(
  stream: MessagesStream<Buffer, Buffer, Buffer, Buffer>,
  handler: (message: KeySource) => Promise<unknown>,
): { stop(): Promise<void> } {
  const done = (async () => {
    for await (const message of stream) {
      const { topic, partition } = message;
      await handler({
        topic,
        partition,
        message: { offset: String(message.offset), value: message.value },
      });
    }
  })().catch(() => undefined);
  return {
    async stop() {
      await stream.close();
      await done;
    },
  };
}
