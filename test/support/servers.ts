/**
 * The one way test files reach the real servers started by `test/setup/global-setup.ts`.
 *
 * @example
 * import { describeWithServers, dynamoClient } from '@oncely/test-support/servers';
 *
 * describeWithServers('DynamoDBStore', () => {
 *   const client = dynamoClient();
 *   // ...
 * });
 */
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { SQSClient, type SQSClientConfig } from '@aws-sdk/client-sqs';
import { Kafka, type KafkaConfig, logLevel } from 'kafkajs';
import { describe, inject } from 'vitest';
import { type ProvidedServers, SKIP_ENV } from './provided.js';
import { serviceUrl } from './services.js';

/** Region and dummy credentials the local servers accept. */
export const LOCAL_AWS_CONFIG = {
  region: 'us-east-1',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
} as const;

function provided(): ProvidedServers | undefined {
  try {
    return inject('oncelyServers');
  } catch {
    // Not inside a vitest worker of the integration project (a script, the unit project).
    return undefined;
  }
}

function required(value: string | undefined, name: string): string {
  if (!value) {
    throw new Error(
      `${name} is not set: run this file in the vitest "integration" project ` +
        '(its globalSetup starts the servers), or set it to a running server',
    );
  }
  return value;
}

/** True when the servers run (or are given in the environment) and tests should use them. */
export function serversAvailable(): boolean {
  const fromSetup = provided();
  if (fromSetup) return fromSetup.available;
  if (process.env[SKIP_ENV] === '1') return false;
  return Boolean(
    process.env.DYNAMODB_ENDPOINT && process.env.SQS_ENDPOINT && process.env.KAFKA_BROKERS,
  );
}

/** DynamoDB Local's endpoint, e.g. `http://127.0.0.1:41234`. */
export function dynamodbEndpoint(): string {
  return required(
    provided()?.dynamodbEndpoint ?? process.env.DYNAMODB_ENDPOINT,
    'DYNAMODB_ENDPOINT',
  );
}

/** ElasticMQ's endpoint, e.g. `http://127.0.0.1:41235`. */
export function sqsEndpoint(): string {
  return required(provided()?.sqsEndpoint ?? process.env.SQS_ENDPOINT, 'SQS_ENDPOINT');
}

/** The Kafka bootstrap brokers, e.g. `['127.0.0.1:41236']`. */
export function kafkaBrokers(): string[] {
  const brokers = provided()?.kafkaBrokers ?? process.env.KAFKA_BROKERS?.split(',');
  return required(brokers?.join(','), 'KAFKA_BROKERS').split(',');
}

/** The PostgreSQL service's URL (`POSTGRES_URL`, else the local service). */
export function postgresUrl(): string {
  return provided()?.postgresUrl ?? serviceUrl('postgres');
}

/** The Redis service's URL (`REDIS_URL`, else the local service). */
export function redisUrl(): string {
  return provided()?.redisUrl ?? serviceUrl('redis');
}

/**
 * `describe` when the servers are available, `describe.skip` otherwise (outside CI without
 * Java or Docker; the global setup has already said what to install). A skipped suite still
 * runs its body to collect tests, so make clients in hooks or tests, not in the body.
 */
export const describeWithServers: typeof describe.skip = describe.skipIf(!serversAvailable());

/** A DynamoDB client for DynamoDB Local; `config` overrides the defaults. */
export function dynamoClient(config: DynamoDBClientConfig = {}): DynamoDBClient {
  return new DynamoDBClient({ ...LOCAL_AWS_CONFIG, endpoint: dynamodbEndpoint(), ...config });
}

/** An SQS client for ElasticMQ; `config` overrides the defaults. */
export function sqsClient(config: SQSClientConfig = {}): SQSClient {
  return new SQSClient({ ...LOCAL_AWS_CONFIG, endpoint: sqsEndpoint(), ...config });
}

/** A kafkajs client for the test broker, quiet unless `config.logLevel` says otherwise. */
export function kafkaClient(config: Partial<KafkaConfig> = {}): Kafka {
  return new Kafka({
    clientId: 'oncely-test',
    brokers: kafkaBrokers(),
    logLevel: logLevel.NOTHING,
    ...config,
  });
}
