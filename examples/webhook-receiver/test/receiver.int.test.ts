import { randomUUID } from 'node:crypto';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { describeWithServers, dynamoClient } from '@oncely/test-support/servers';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DEMO_SECRETS } from '../src/config.js';
import { runDemo } from '../src/send.js';
import { type RunningReceiver, startReceiver } from '../src/server.js';

describeWithServers('webhook-receiver example on DynamoDB Local', () => {
  const client = dynamoClient();
  const tableName = `oncely-example-webhooks-${randomUUID().slice(0, 8)}`;
  let receiver: RunningReceiver;
  beforeAll(async () => {
    receiver = await startReceiver({
      client,
      tableName,
      stripeSecret: DEMO_SECRETS.stripe,
      standardSecret: DEMO_SECRETS.standard,
      port: 0,
      createTable: true,
    });
  });
  afterAll(async () => {
    await receiver?.close();
    await client.send(new DeleteTableCommand({ TableName: tableName }));
    client.destroy();
  });

  it('ships each order and pays each invoice exactly once through the demo sender', async () => {
    const steps = await runDemo(receiver.url, DEMO_SECRETS);
    const by = (prefix: string) => steps.filter((s) => s.step.startsWith(prefix));

    const [delivered, retried] = by('stripe: evt_A');
    expect(delivered).toMatchObject({ status: 200, replayed: false });
    expect(retried).toMatchObject({ status: 200, replayed: true, body: delivered?.body });

    // Concurrent copies: one runs; each other copy is either told to retry (409) or,
    // if it arrived after completion, answered from the store.
    const copies = by('stripe: evt_B');
    expect(copies.filter((s) => s.status === 200 && !s.replayed)).toHaveLength(1);
    for (const copy of copies) expect(copy.status === 409 || copy.status === 200).toBe(true);

    expect(by('stripe: evt_C forged')[0]?.status).toBe(401);
    expect(by('stripe: evt_C genuine')[0]).toMatchObject({ status: 200, replayed: false });

    const [first, again, other] = by('standard: msg_1');
    expect(first).toMatchObject({ status: 204, replayed: false });
    expect(again).toMatchObject({ status: 204, replayed: true });
    expect(other?.status).toBe(422);

    const kinds = receiver.fulfilment.effects.map((e) => `${e.kind}:${e.id.split('_')[1]}`);
    expect(kinds.sort()).toEqual(['invoice-paid:1', 'shipped:A', 'shipped:B', 'shipped:C']);
  });
});
