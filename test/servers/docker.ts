import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import type { GenericContainer, StartedTestContainer } from 'testcontainers';
import { dynamodbAnswers, kafkaAnswers, sqsAnswers } from './health.js';
import { freePort } from './ports.js';
import { ServerStartError } from './processes.js';
import type { ServerKind, StartContext, StartedServer } from './types.js';

/** Images for the Docker route; keep them in step with the versions in maven/<kind>/pom.xml. */
export const DOCKER_IMAGES: Record<ServerKind, string> = {
  dynamodb: 'amazon/dynamodb-local:3.3.1',
  sqs: 'softwaremill/elasticmq-native:1.7.1',
  kafka: 'apache/kafka:3.9.1',
};

type Testcontainers = typeof import('testcontainers');

/**
 * ElasticMQ and Kafka put their own address into what they hand out (queue URLs, broker
 * metadata), so the container must know its outside port before it starts: publish a free
 * host port on the same port number inside.
 */
async function sameNumberPort(): Promise<{ container: number; host: number }> {
  const port = await freePort();
  return { container: port, host: port };
}

async function dynamodbContainer(tc: Testcontainers): Promise<GenericContainer> {
  return new tc.GenericContainer(DOCKER_IMAGES.dynamodb)
    .withCommand(['-jar', 'DynamoDBLocal.jar', '-inMemory', '-sharedDb', '-disableTelemetry'])
    .withExposedPorts(8000);
}

async function sqsContainer(tc: Testcontainers, host: string): Promise<GenericContainer> {
  const port = await sameNumberPort();
  const config = `node-address { protocol = http, host = "${host}", port = ${port.host}, context-path = "" }
rest-sqs { enabled = true, bind-port = ${port.container}, bind-hostname = "0.0.0.0", sqs-limits = strict }
rest-stats { enabled = false }
generate-node-address = false
aws { region = "us-east-1", accountId = "000000000000" }
`;
  return new tc.GenericContainer(DOCKER_IMAGES.sqs)
    .withCopyContentToContainer([{ content: config, target: '/opt/elasticmq.conf' }])
    .withExposedPorts(port);
}

async function kafkaContainer(tc: Testcontainers, host: string): Promise<GenericContainer> {
  const port = await sameNumberPort();
  return new tc.GenericContainer(DOCKER_IMAGES.kafka).withExposedPorts(port).withEnvironment({
    KAFKA_NODE_ID: '1',
    KAFKA_PROCESS_ROLES: 'broker,controller',
    KAFKA_LISTENERS: `PLAINTEXT://0.0.0.0:${port.container},CONTROLLER://localhost:9093`,
    KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT://${host}:${port.host}`,
    KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
    KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:9093',
    KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
    KAFKA_OFFSETS_TOPIC_NUM_PARTITIONS: '1',
    KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
    KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
    KAFKA_TRANSACTION_STATE_LOG_NUM_PARTITIONS: '1',
    KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
    KAFKA_GROUP_MIN_SESSION_TIMEOUT_MS: '1000',
    KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'true',
    KAFKA_NUM_PARTITIONS: '3',
  });
}

function endpointOf(kind: ServerKind, started: StartedTestContainer): string | string[] {
  const host = started.getHost();
  const port = started.getFirstMappedPort();
  return kind === 'kafka' ? [`${host}:${port}`] : `http://${host}:${port}`;
}

async function untilReady(kind: ServerKind, endpoint: string | string[], timeoutMs: number) {
  const check = () =>
    typeof endpoint === 'string'
      ? (kind === 'dynamodb' ? dynamodbAnswers : sqsAnswers)(endpoint)
      : kafkaAnswers(endpoint);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

/**
 * Starts `kind` in a container through testcontainers (its reaper removes the container if
 * this process dies). Only used when a Docker engine answers.
 */
export async function startDockerServer(
  kind: ServerKind,
  ctx: StartContext,
): Promise<StartedServer> {
  // Loaded lazily: without Docker, testcontainers is never imported.
  const tc = await import('testcontainers');
  const host = (await tc.getContainerRuntimeClient()).info.containerRuntime.host;
  const make = { dynamodb: dynamodbContainer, sqs: sqsContainer, kafka: kafkaContainer }[kind];
  const logFile = join(ctx.runDir, `${kind}.log`);
  const container = (await make(tc, host))
    .withLogConsumer((stream) => stream.pipe(createWriteStream(logFile)))
    .withStartupTimeout(ctx.readyTimeoutMs);
  const started = await container.start();
  const endpoint = endpointOf(kind, started);
  try {
    await untilReady(kind, endpoint, ctx.readyTimeoutMs);
  } catch (error) {
    await started.stop();
    throw new ServerStartError(
      `${kind} (${DOCKER_IMAGES[kind]}) did not answer`,
      logFile,
      undefined,
      {
        cause: error,
      },
    );
  }
  ctx.log(`${kind}: ${DOCKER_IMAGES[kind]} (Docker) ready at ${String(endpoint)}`);
  return { kind, source: 'docker', endpoint, stop: async () => void (await started.stop()) };
}
