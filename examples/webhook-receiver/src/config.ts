import { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** The example's settings, from the environment, with local defaults. */
export interface ExampleSettings {
  readonly port: number;
  readonly tableName: string;
  readonly dynamodbEndpoint: string | undefined;
  readonly stripeSecret: string;
  readonly standardSecret: string;
}

/** Demo secrets: the sender script signs with the same ones. Never use them for real. */
export const DEMO_SECRETS = {
  stripe: 'whsec_oncely_demo_stripe',
  standard: `whsec_${Buffer.from('oncely-demo-standard-webhooks').toString('base64')}`,
} as const;

/** Reads `PORT`, `ONCELY_TABLE`, `DYNAMODB_ENDPOINT`, `STRIPE_WEBHOOK_SECRET`, `STANDARD_WEBHOOK_SECRET`. */
export function settingsFromEnv(env: NodeJS.ProcessEnv = process.env): ExampleSettings {
  return {
    port: Number(env.PORT ?? 3000),
    tableName: env.ONCELY_TABLE ?? 'oncely-webhooks',
    dynamodbEndpoint: env.DYNAMODB_ENDPOINT || undefined,
    stripeSecret: env.STRIPE_WEBHOOK_SECRET ?? DEMO_SECRETS.stripe,
    standardSecret: env.STANDARD_WEBHOOK_SECRET ?? DEMO_SECRETS.standard,
  };
}

/** A DynamoDB client: DynamoDB Local when an endpoint is given, else AWS from the environment. */
export function dynamoClientFor(settings: ExampleSettings): DynamoDBClient {
  if (!settings.dynamodbEndpoint) return new DynamoDBClient({});
  return new DynamoDBClient({
    endpoint: settings.dynamodbEndpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
}
