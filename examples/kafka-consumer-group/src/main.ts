import { readBalances } from './balances.js';
import { dynamoFor, kafkaFor, settingsFromEnv } from './config.js';
import { type Member, startMember } from './consumer.js';
import { setUp } from './setup.js';
import { produceTraffic } from './traffic.js';

/**
 * `npm start`: creates the tables and topics if needed, produces demo payments (with
 * producer retries and a poison message), and runs a consumer group of `MEMBERS`
 * members until Ctrl-C, printing the balances every few seconds.
 */
const settings = settingsFromEnv();
const kafka = kafkaFor(settings);
const dynamo = dynamoFor(settings);

await setUp(kafka, dynamo, settings);
const traffic = await produceTraffic(kafka, settings.topic);
console.log(`produced ${traffic.produced} messages for ${traffic.payments.length} payments`);
console.log(`expected balances (cents): ${JSON.stringify(traffic.expected)}`);

const members: Member[] = [];
for (let i = 0; i < settings.members; i++) {
  members.push(
    await startMember({
      kafka,
      dynamo,
      ...settings,
      onEvent: (event) => {
        if (event.type === 'completed' || event.type === 'duplicate') {
          console.log(`member ${i}: ${event.type.padEnd(9)} ${event.key}`);
        }
      },
    }),
  );
}

const report = setInterval(() => {
  void readBalances(dynamo, settings.balancesTable).then(({ accounts }) => {
    console.log(`balances: ${JSON.stringify(accounts)}`);
  });
}, settings.reportEveryMs);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    clearInterval(report);
    void Promise.allSettled(members.map((member) => member.stop())).then(() => process.exit(0));
  });
}
