/**
 * Kafka chaos on a real broker: a topic of six partitions, a consumer group of
 * members in separate processes, members SIGKILLed and restarted so the group
 * rebalances while batches run, and producer duplicates keyed by the value's event ID.
 */
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import { runBrokerChaos } from '../broker-chaos.js';
import type { ChaosEnvironment, ScenarioResult } from '../scenario.js';
import type { ChaosSettings } from '../settings.js';
import type { ChaosStoreKind } from '../stores.js';
import type { RunMode } from '../verdict.js';

const workerScript = fileURLToPath(new URL('./kafka-worker.ts', import.meta.url));
const PARTITIONS = 6;
/** The broker's smallest allowed session timeout (`group.min.session.timeout.ms`). */
const SESSION_TIMEOUT_MS = 6_000;

/**
 * Runs the Kafka scenario in one mode, on one store.
 *
 * @example
 * const result = await runKafkaChaos(env, 'normal', QUICK.kafka);
 */
export async function runKafkaChaos(
  env: ChaosEnvironment,
  mode: RunMode,
  settings: ChaosSettings,
  store: ChaosStoreKind = 'dynamodb',
): Promise<ScenarioResult> {
  const kafka = new Kafka({
    clientId: 'oncely-chaos',
    brokers: [...env.kafkaBrokers],
    logLevel: logLevel.NOTHING,
  });
  const topic = `chaos-${store}-${mode}-${Date.now()}`;
  const groupId = `${topic}-group`;
  const admin = kafka.admin();
  const producer = kafka.producer();
  await admin.connect();
  await producer.connect();
  await admin.createTopics({
    topics: [{ topic, numPartitions: PARTITIONS, replicationFactor: 1 }],
    waitForLeaders: true,
  });
  try {
    return await runBrokerChaos({
      env,
      mode,
      store,
      settings,
      scenario: 'kafka',
      workerScript,
      workerExtras: {
        brokers: env.kafkaBrokers,
        topic,
        groupId,
        sessionTimeoutMs: SESSION_TIMEOUT_MS,
      },
      async send(eventIds) {
        // Keyed by event ID, so a producer's retry lands on the same partition, as it would.
        await producer.send({
          topic,
          messages: eventIds.map((eventId) => ({
            key: eventId,
            value: JSON.stringify({ eventId, sentAt: Date.now() }),
          })),
        });
      },
      async drained() {
        return (await lag(admin, groupId, topic)) === 0;
      },
      notes: async () => [`topic ${topic}: ${PARTITIONS} partitions, group ${groupId}`],
    });
  } finally {
    await producer.disconnect();
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  }
}

/** Messages not yet committed by the group, over every partition. */
async function lag(admin: ReturnType<Kafka['admin']>, groupId: string, topic: string) {
  const [high, committed] = await Promise.all([
    admin.fetchTopicOffsets(topic),
    admin.fetchOffsets({ groupId, topics: [topic] }),
  ]);
  const done = new Map(
    (committed[0]?.partitions ?? []).map((p) => [p.partition, Math.max(0, Number(p.offset))]),
  );
  return high.reduce((sum, p) => sum + Number(p.high) - (done.get(p.partition) ?? 0), 0);
}
