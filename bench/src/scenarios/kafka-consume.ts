/**
 * One Kafka contender's timed run, in this process: a new consumer group reads the
 * topic from the start through the contender's client driver, until `limit` messages
 * were handled. The scenario calls it directly, or through `kafka-child.ts` for a
 * client this Node cannot run.
 */
import { randomUUID } from 'node:crypto';
import type { KafkaClientDriver } from '@oncely/test-support/kafka-clients';
import { countRequests } from '@oncely/test-support/request-counter';
import { benchDynamoClient } from '../contenders/dynamodb-tables.js';
import type { KafkaClientName, KafkaContender } from '../contenders/kafka-contenders.js';
import { nowMs } from '../measure/clock.js';
import { startCpuMeter } from '../measure/cpu.js';

/** One contender's run: CPU and requests are per message. */
export interface Consumption {
  /** The timed messages: the first `limit` the handler ran for. */
  readonly limit: number;
  readonly elapsedMs: number;
  readonly cpuMs: number;
  readonly requests: number;
}

/** Where and how long one run reads. */
export interface ConsumeRun {
  readonly brokers: readonly string[];
  readonly topic: string;
  /** DynamoDB Local's endpoint. */
  readonly endpoint: string;
  readonly tableName: string;
  readonly limit: number;
  readonly timeoutMs: number;
}

/**
 * The driver of `client`, loaded only when asked for: a client's module may not load on
 * every Node (@platformatic/kafka needs Node 22), and Confluent's needs its native build.
 */
export async function driverFor(
  client: KafkaClientName,
  brokers: readonly string[],
): Promise<KafkaClientDriver> {
  switch (client) {
    case 'kafkajs':
      return (await import('@oncely/test-support/kafka-clients/kafkajs')).kafkajsDriver(brokers);
    case 'confluent':
      return (await import('@oncely/test-support/kafka-clients/confluent')).confluentDriver(
        brokers,
      );
    case 'platformatic':
      return (await import('@oncely/test-support/kafka-clients/platformatic')).platformaticDriver(
        brokers,
      );
  }
}

/**
 * Runs `contender` over `run.topic`. The clock and the CPU meter run from the first
 * handler call to the `limit`-th; store requests count from the member's start to its
 * stop (the claims before the first handler and the completion after the last
 * included), per message handled. Throws if any position ran twice.
 */
export async function consume(contender: KafkaContender, run: ConsumeRun): Promise<Consumption> {
  const { limit, timeoutMs } = run;
  const client = benchDynamoClient(run.endpoint);
  const requests = countRequests(client);
  const groupId = `bench-${randomUUID().slice(0, 8)}`;
  const driver = await driverFor(contender.client, run.brokers);
  const seen = new Set<string>();
  let repeated = 0;
  let started = 0;
  let elapsedMs = Number.NaN;
  let cpuMs = Number.NaN;
  let cpu: { stop(): number } | undefined;
  let finish = () => {};
  const finished = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const work = async (position: string, value: Buffer | string | null): Promise<number> => {
    if (seen.size === 0) {
      started = nowMs();
      cpu = startCpuMeter();
    }
    const order = JSON.parse(String(value)) as { orderId: string; amount: number };
    if (seen.has(position)) repeated++;
    seen.add(position);
    if (seen.size === limit) {
      elapsedMs = nowMs() - started;
      cpuMs = cpu?.stop() ?? Number.NaN;
      finish();
    }
    return order.amount * 2 + order.orderId.length;
  };
  try {
    await driver.start({
      groupId,
      topic: run.topic,
      mode: contender.mode({ client, tableName: run.tableName, groupId }, work),
    });
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      finished,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new Error(`${contender.name}: handled ${seen.size} of ${limit} in ${timeoutMs} ms`),
            ),
          timeoutMs,
        );
      }),
    ]).finally(() => clearTimeout(timer));
  } finally {
    await driver.close();
    client.destroy();
  }
  if (repeated > 0) {
    throw new Error(
      `${contender.name}: the handler ran ${repeated} times for a message it had run`,
    );
  }
  return { limit, elapsedMs, cpuMs: cpuMs / limit, requests: requests.total / seen.size };
}
