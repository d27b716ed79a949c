import { DEMO_SECRETS } from './config.js';
import { runDemo } from './send.js';

/** `npm run send`: plays the demo against a receiver started with `npm start`. */
const baseUrl = process.env.RECEIVER_URL ?? `http://127.0.0.1:${process.env.PORT ?? 3000}`;
const steps = await runDemo(baseUrl, {
  stripe: process.env.STRIPE_WEBHOOK_SECRET ?? DEMO_SECRETS.stripe,
  standard: process.env.STANDARD_WEBHOOK_SECRET ?? DEMO_SECRETS.standard,
});
for (const { step, status, replayed, body } of steps) {
  console.log(`${step.padEnd(36)} ${status}${replayed ? ' replayed' : '         '}  ${body}`);
}
