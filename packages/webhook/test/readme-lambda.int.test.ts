import { exampleUnder, runTypeScript } from '@oncely/test-support/readme';
import {
  describeWithServers,
  dynamoClient,
  dynamodbEndpoint,
  LOCAL_AWS_CONFIG,
} from '@oncely/test-support/servers';
import { freshTable } from '@oncely/test-support/tables';
import { expect, it } from 'vitest';

// `fulfil` is the reader's own function; the example leaves it undeclared.
const prelude = `
async function fulfil(payload: unknown): Promise<void> {
  console.log(\`fulfilled \${(payload as { id: string }).id}\`);
}
`;

// Invokes the exported handler the way a Function URL does: one event, then its retry.
const invoke = `
import { stripeSignatureHeader } from '@oncely/webhook';

const body = JSON.stringify({ id: 'evt_readme_lambda', type: 'charge.succeeded', data: {} });
const signature = stripeSignatureHeader(
  process.env.STRIPE_WEBHOOK_SECRET!,
  Math.floor(Date.now() / 1000),
  body,
);
const event = {
  version: '2.0',
  routeKey: '$default',
  rawPath: '/webhooks/stripe',
  rawQueryString: '',
  headers: { 'content-type': 'application/json', 'stripe-signature': signature },
  requestContext: {
    accountId: '123456789012',
    apiId: 'readme',
    domainName: 'readme.lambda-url.us-east-1.on.aws',
    domainPrefix: 'readme',
    http: { method: 'POST', path: '/webhooks/stripe', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'Stripe/1.0' },
    requestId: 'readme',
    routeKey: '$default',
    stage: '$default',
    time: '01/Jan/2026:00:00:00 +0000',
    timeEpoch: 1_767_225_600_000,
  },
  isBase64Encoded: false,
  body,
};
const context = { getRemainingTimeInMillis: () => 30_000 };
for (const label of ['delivery', 'retry']) {
  const result = await handler(event, context);
  console.log(\`\${label}: \${result.statusCode} replayed=\${result.headers?.['idempotent-replayed'] ?? 'false'}\`);
}
`;

describeWithServers('the README Lambda example', () => {
  it('starts with the default client from the environment and acts once', async () => {
    const code = await exampleUnder(new URL('../README.md', import.meta.url), '### AWS Lambda');
    const client = dynamoClient();
    const { tableName, drop } = await freshTable(client, 'readme-lambda');
    try {
      const stdout = await runTypeScript(prelude + code + invoke, {
        name: 'webhook-readme-lambda',
        // What a Lambda function has: region and credentials in the environment. The
        // endpoint variable is the SDK's standard override, here pointing at DynamoDB Local.
        env: {
          ONCELY_TABLE: tableName,
          STRIPE_WEBHOOK_SECRET: 'whsec_readme_lambda',
          AWS_REGION: LOCAL_AWS_CONFIG.region,
          AWS_ACCESS_KEY_ID: LOCAL_AWS_CONFIG.credentials.accessKeyId,
          AWS_SECRET_ACCESS_KEY: LOCAL_AWS_CONFIG.credentials.secretAccessKey,
          AWS_ENDPOINT_URL_DYNAMODB: dynamodbEndpoint(),
        },
      });
      expect(stdout).toBe(
        'fulfilled evt_readme_lambda\ndelivery: 204 replayed=false\nretry: 204 replayed=true\n',
      );
    } finally {
      await drop();
      client.destroy();
    }
  });
});
