import { dynamoClientFor, settingsFromEnv } from './config.js';
import { startReceiver } from './server.js';

/**
 * `npm start`: serves both receivers. With `DYNAMODB_ENDPOINT` set (DynamoDB Local),
 * the table is created on start; against AWS it must exist (see the README).
 */
const settings = settingsFromEnv();
const receiver = await startReceiver({
  client: dynamoClientFor(settings),
  tableName: settings.tableName,
  stripeSecret: settings.stripeSecret,
  standardSecret: settings.standardSecret,
  port: settings.port,
  createTable: settings.dynamodbEndpoint !== undefined,
  onEvent: (event) => console.log(`oncely ${event.type.padEnd(12)} ${event.storeKey}`),
});
console.log(`webhook receiver on ${receiver.url}`);
console.log(`  POST ${receiver.url}/webhooks/stripe    (Stripe-Signature)`);
console.log(`  POST ${receiver.url}/webhooks/standard  (Standard Webhooks)`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void receiver.close().then(() => process.exit(0));
  });
}
