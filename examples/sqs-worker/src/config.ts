import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';

/** The worker's settings, from the environment, with local defaults. */
export interface WorkerSettings {
  /** ElasticMQ, LocalStack or another SQS server; unset in AWS. */
  readonly sqsEndpoint: string | undefined;
  /** DynamoDB Local; unset in AWS. */
  readonly dynamodbEndpoint: string | undefined;
  /** The queue to consume; when unset, `queueName` is looked up (and made, locally). */
  readonly queueUrl: string | undefined;
  readonly queueName: string;
  /** The oncely table (key `pk`, TTL on `expiresAt`). */
  readonly dedupTable: string;
  /** Where shipments are written: the effect kept to once per order. */
  readonly shipmentsTable: string;
  /** Seconds a received message stays hidden; also the oncely lease. */
  readonly visibilityTimeout: number;
  /** Seconds between visibility (and lease) extensions while a handler runs. */
  readonly heartbeatInterval: number;
}

/**
 * Reads `SQS_ENDPOINT`, `DYNAMODB_ENDPOINT`, `QUEUE_URL`, `QUEUE_NAME`, `DEDUP_TABLE`,
 * `SHIPMENTS_TABLE`, `VISIBILITY_TIMEOUT` and `HEARTBEAT_INTERVAL`.
 */
export function settingsFromEnv(env: NodeJS.ProcessEnv = process.env): WorkerSettings {
  return {
    sqsEndpoint: env.SQS_ENDPOINT || undefined,
    dynamodbEndpoint: env.DYNAMODB_ENDPOINT || undefined,
    queueUrl: env.QUEUE_URL || undefined,
    queueName: env.QUEUE_NAME ?? 'orders',
    dedupTable: env.DEDUP_TABLE ?? 'oncely-dedup',
    shipmentsTable: env.SHIPMENTS_TABLE ?? 'shipments',
    visibilityTimeout: Number(env.VISIBILITY_TIMEOUT ?? 30),
    heartbeatInterval: Number(env.HEARTBEAT_INTERVAL ?? 10),
  };
}

/** Dummy credentials and a region for local servers; AWS uses the environment's. */
const LOCAL = {
  region: 'us-east-1',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
} as const;

/** An SQS client: the local endpoint when given, else AWS. */
export function sqsClientFor(settings: WorkerSettings): SQSClient {
  return settings.sqsEndpoint
    ? new SQSClient({ ...LOCAL, endpoint: settings.sqsEndpoint })
    : new SQSClient({});
}

/** A DynamoDB client: the local endpoint when given, else AWS. */
export function dynamoClientFor(settings: WorkerSettings): DynamoDBClient {
  return settings.dynamodbEndpoint
    ? new DynamoDBClient({ ...LOCAL, endpoint: settings.dynamodbEndpoint })
    : new DynamoDBClient({});
}
