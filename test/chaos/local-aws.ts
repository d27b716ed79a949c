/**
 * AWS clients for the local servers, usable from chaos scripts and their worker
 * processes as well as from tests (`@oncely/test-support/servers` needs a vitest worker).
 */
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { SQSClient, type SQSClientConfig } from '@aws-sdk/client-sqs';

/** Region and dummy credentials the local servers accept. */
const LOCAL = {
  region: 'us-east-1',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
} as const;

/** A DynamoDB client for `endpoint` (DynamoDB Local, or the fault proxy in front of it). */
export function localDynamo(endpoint: string, config: DynamoDBClientConfig = {}): DynamoDBClient {
  return new DynamoDBClient({ ...LOCAL, endpoint, ...config });
}

/** An SQS client for `endpoint` (ElasticMQ). */
export function localSqs(endpoint: string, config: SQSClientConfig = {}): SQSClient {
  return new SQSClient({ ...LOCAL, endpoint, ...config });
}
