/**
 * What the Kafka integration tests share: unique topics and groups, consumers with
 * short group timeouts (rebalances take seconds, not the default minute), a producer,
 * offset reads, and a ledger that counts effects per key.
 */
import { randomUUID } from 'node:crypto';
import { FAST_GROUP } from '@oncely/test-support/kafka-clients';
import { kafkaClient } from '@oncely/test-support/servers';
import {
  type Admin,
  type Consumer,
  type ConsumerConfig,
  type ConsumerRunConfig,
  type IHeaders,
  type Kafka,
  Partitioners,
  type Producer,
} from 'kafkajs';

/** A name no other test (or earlier run against the same broker) uses. */
export function unique(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/** The drivers' fast group timings, with quick retries. */
const FAST_KAFKAJS_GROUP: Partial<ConsumerConfig> = {
  ...FAST_GROUP,
  retry: { initialRetryTime: 100, maxRetryTime: 1_000, retries: 5 },
};

/** One broker connection per test file: admin, producer, and the consumers it made. */
export class KafkaHarness {
  readonly kafka: Kafka = kafkaClient();
  private admin: Admin | undefined;
  private producer: Producer | undefined;
  private readonly consumers = new Set<Consumer>();

  /** Creates a topic with `partitions` partitions and waits for its leaders. */
  async createTopic(prefix: string, partitions: number): Promise<string> {
    const topic = unique(prefix);
    await (await this.connectedAdmin()).createTopics({
      topics: [{ topic, numPartitions: partitions }],
      waitForLeaders: true,
    });
    return topic;
  }

  /** Produces messages, each to the given partition (or round robin). */
  async produce(
    topic: string,
    messages: readonly {
      value: string | null;
      partition?: number;
      headers?: IHeaders;
      key?: string;
    }[],
  ): Promise<void> {
    if (this.producer === undefined) {
      // Idempotent: a send retried after a timeout on a loaded machine must not write the
      // batch twice, or a test would see producer duplicates it did not make.
      this.producer = this.kafka.producer({
        createPartitioner: Partitioners.DefaultPartitioner,
        idempotent: true,
        maxInFlightRequests: 1,
        // A topic just created may not be on every broker's metadata yet; retry longer.
        retry: { retries: 10, initialRetryTime: 100 },
      });
      await this.producer.connect();
    }
    await this.producer.send({ topic, messages: [...messages] });
  }

  /**
   * Starts a consumer in `groupId` on `topic` from the beginning, with fast group timeouts.
   * `run` may be a function of the consumer, for handlers that listen to its events.
   */
  async consume(
    groupId: string,
    topic: string,
    run: ConsumerRunConfig | ((consumer: Consumer) => ConsumerRunConfig),
    config: Partial<ConsumerConfig> = {},
  ): Promise<Consumer> {
    const consumer = this.kafka.consumer({ groupId, ...FAST_KAFKAJS_GROUP, ...config });
    this.consumers.add(consumer);
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run(typeof run === 'function' ? run(consumer) : run);
    return consumer;
  }

  /** Disconnects a consumer: it stops, leaves the group, and the others rebalance. */
  async stop(consumer: Consumer): Promise<void> {
    await consumer.disconnect();
    this.consumers.delete(consumer);
  }

  /** The group's committed offset (the next offset to read) per partition; -1 when none. */
  async committed(groupId: string, topic: string): Promise<Map<number, number>> {
    const [offsets] = await (await this.connectedAdmin()).fetchOffsets({
      groupId,
      topics: [topic],
    });
    return new Map(offsets?.partitions.map((p) => [p.partition, Number(p.offset)]) ?? []);
  }

  /** The end offset (one past the last message) per partition. */
  async ends(topic: string): Promise<Map<number, number>> {
    const offsets = await (await this.connectedAdmin()).fetchTopicOffsets(topic);
    return new Map(offsets.map((p) => [p.partition, Number(p.high)]));
  }

  /** Whether the group has committed every message of the topic. */
  async caughtUp(groupId: string, topic: string): Promise<boolean> {
    const [committed, ends] = await Promise.all([this.committed(groupId, topic), this.ends(topic)]);
    // An empty partition has nothing to commit: its committed offset stays -1.
    return [...ends].every(([partition, end]) => end === 0 || committed.get(partition) === end);
  }

  /** Disconnects everything this harness made. */
  async close(): Promise<void> {
    await Promise.allSettled([...this.consumers].map((consumer) => consumer.disconnect()));
    await Promise.allSettled([this.producer?.disconnect(), this.admin?.disconnect()]);
  }

  private async connectedAdmin(): Promise<Admin> {
    if (this.admin === undefined) {
      this.admin = this.kafka.admin();
      await this.admin.connect();
    }
    return this.admin;
  }
}

/** Counts effects per key, across every consumer of a test. */
export class EffectLedger {
  private readonly counts = new Map<string, number>();

  record(key: string): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  /** How many distinct keys had an effect. */
  get size(): number {
    return this.counts.size;
  }

  /** Total effects, repeats included. */
  get total(): number {
    return [...this.counts.values()].reduce((sum, n) => sum + n, 0);
  }

  /** Keys whose effect ran more than once. */
  repeated(): string[] {
    return [...this.counts].filter(([, n]) => n > 1).map(([key]) => key);
  }

  has(key: string): boolean {
    return this.counts.has(key);
  }

  keys(): string[] {
    return [...this.counts.keys()];
  }
}

/** The shared real-server wait, re-exported for the Kafka tests that import it from here. */
export { eventually } from '@oncely/test-support/eventually';
