/**
 * One member of a chaos run's consumer group: kafkajs `eachBatch` wrapped by oncely,
 * keyed by the event ID in the message value (so producer duplicates are caught), its
 * store behind the fault proxy, its events in its own JSONL log. Started by the pool;
 * killed by the monkey, which makes the group rebalance while batches are running.
 */
import { createEachBatchHandler } from '@oncely/kafka/kafkajs';
import { Kafka, logLevel } from 'kafkajs';
import { errorName, onTerminate, startWorker, type WorkerBaseConfig } from '../worker-runtime.js';

/** What a Kafka member is told. */
export interface KafkaWorkerConfig extends WorkerBaseConfig {
  readonly brokers: readonly string[];
  readonly topic: string;
  readonly groupId: string;
  /** The member's session timeout: a killed member's partitions move after this. */
  readonly sessionTimeoutMs: number;
}

const { config, log, inFlight, store, run } = await startWorker<KafkaWorkerConfig>();
const topicPrefix = `${config.topic}/`;

const eachBatch = createEachBatchHandler({
  store,
  groupId: config.groupId,
  namespace: config.namespace,
  sessionTimeout: config.sessionTimeoutMs,
  lease: config.leaseMs,
  heartbeatInterval: 1_000,
  transactional: config.mode === 'transactional',
  key: config.brokerKeys ? 'offset' : { field: 'eventId' },
  // Keys are `<topic>/<eventId>`; the ledger and the verdict speak of event IDs.
  onEvent: (event) => log.event({ ...event, key: event.key.replace(topicPrefix, '') }),
  handler: ({ message }, context) => run(eventIdOf(message.value), context),
});

const kafka = new Kafka({
  clientId: config.name,
  brokers: [...config.brokers],
  logLevel: logLevel.NOTHING,
});
const consumer = kafka.consumer({
  groupId: config.groupId,
  sessionTimeout: config.sessionTimeoutMs,
  heartbeatInterval: 1_000,
  rebalanceTimeout: 2 * config.sessionTimeoutMs,
  maxWaitTimeInMs: 500,
  // Small batches, so a batch that fails (and is fetched again) wastes little.
  maxBytesPerPartition: 8 * 1024,
});
consumer.on(consumer.events.CRASH, ({ payload }) => {
  console.error(`[${config.name}] consumer crashed: ${payload.error.message}`);
  // kafkajs restarts the consumer after retriable crashes; anything else ends the member.
  if (!payload.restart) process.exit(2);
});

async function main(): Promise<void> {
  await consumer.connect();
  await consumer.subscribe({ topic: config.topic, fromBeginning: true });
  await consumer.run({
    eachBatch: async (payload) => {
      const { partition, messages } = payload.batch;
      for (const message of messages) {
        log.write({ t: 'delivery', position: `${partition}/${message.offset}` });
      }
      try {
        await eachBatch(payload);
      } catch (error) {
        log.write({ t: 'outcome', status: 'failed', error: errorName(error) });
        throw error;
      }
    },
  });
}

function eventIdOf(value: Buffer | string | null): string {
  return (JSON.parse(String(value ?? '{}')) as { eventId: string }).eventId;
}

onTerminate(async () => {
  await inFlight.idle(5_000);
  await consumer.disconnect();
});
main().catch((error: unknown) => {
  console.error(`[${config.name}] failed to start:`, error);
  process.exit(2);
});
