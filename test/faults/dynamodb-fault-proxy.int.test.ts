import { randomUUID } from 'node:crypto';
import {
  CreateTableCommand,
  DeleteTableCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeWithServers, dynamoClient, dynamodbEndpoint } from '../support/servers.js';
import { type FaultKind, startDynamoDBFaultProxy } from './dynamodb-fault-proxy.js';

const table = `fault-proxy-${randomUUID().slice(0, 8)}`;

function put(client: DynamoDBClient, pk: string) {
  return client.send(new PutItemCommand({ TableName: table, Item: { pk: { S: pk } } }));
}

async function exists(client: DynamoDBClient, pk: string): Promise<boolean> {
  const { Item } = await client.send(
    new GetItemCommand({ TableName: table, Key: { pk: { S: pk } }, ConsistentRead: true }),
  );
  return Item !== undefined;
}

async function failure(promise: Promise<unknown>): Promise<Record<string, unknown>> {
  try {
    await promise;
  } catch (error) {
    return error as Record<string, unknown>;
  }
  throw new Error('expected the call to fail');
}

describeWithServers('DynamoDB fault proxy', () => {
  const direct = dynamoClient();

  beforeAll(async () => {
    await direct.send(
      new CreateTableCommand({
        TableName: table,
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
  });
  afterAll(async () => {
    await direct.send(new DeleteTableCommand({ TableName: table }));
    direct.destroy();
  });

  it('passes requests through untouched at rate 0, and counts them', async () => {
    const proxy = await startDynamoDBFaultProxy({ target: dynamodbEndpoint(), faultRate: 0 });
    const client = dynamoClient({ endpoint: proxy.endpoint, maxAttempts: 1 });
    try {
      await put(client, 'plain');
      expect(await exists(client, 'plain')).toBe(true);
      expect(proxy.stats()).toMatchObject({ requests: 2, eligible: 2, totalInjected: 0 });
    } finally {
      client.destroy();
      await proxy.close();
    }
  });

  describe('each fault, scripted, as the SDK sees it without retries', () => {
    const cases: {
      kind: FaultKind;
      written: boolean;
      check: (error: Record<string, unknown>) => void;
    }[] = [
      {
        kind: 'throttle',
        written: false,
        check: (error) => {
          expect(['ThrottlingException', 'ProvisionedThroughputExceededException']).toContain(
            error.name,
          );
          expect(error.$metadata).toMatchObject({ httpStatusCode: 400 });
        },
      },
      {
        kind: 'server-error',
        written: false,
        check: (error) => {
          expect(error.name).toBe('InternalServerError');
          expect(error.$metadata).toMatchObject({ httpStatusCode: 500 });
        },
      },
      {
        kind: 'reset-before',
        written: false,
        check: (error) => expect(error.code).toBe('ECONNRESET'),
      },
      {
        // The write lands, the client hears a reset: the case a store must survive.
        kind: 'reset-after',
        written: true,
        check: (error) => expect(error.code).toBe('ECONNRESET'),
      },
    ];

    for (const { kind, written, check } of cases) {
      it(`${kind}: the call fails, and the item is ${written ? '' : 'not '}written`, async () => {
        const proxy = await startDynamoDBFaultProxy({ target: dynamodbEndpoint(), faultRate: 0 });
        const client = dynamoClient({ endpoint: proxy.endpoint, maxAttempts: 1 });
        const pk = `scripted-${kind}`;
        try {
          proxy.injectNext(kind, 'PutItem');
          check(await failure(put(client, pk)));
          expect(await exists(direct, pk)).toBe(written);
          expect(proxy.log).toEqual([
            expect.objectContaining({ seq: 1, kind, operation: 'PutItem', key: pk }),
          ]);
          expect(proxy.stats().appliedButUnseen).toBe(kind === 'reset-after' ? 1 : 0);
        } finally {
          client.destroy();
          await proxy.close();
        }
      });
    }

    it('latency: the call waits, then succeeds', async () => {
      const proxy = await startDynamoDBFaultProxy({
        target: dynamodbEndpoint(),
        faultRate: 0,
        latencyMs: [50, 50],
      });
      const client = dynamoClient({ endpoint: proxy.endpoint, maxAttempts: 1 });
      try {
        proxy.injectNext('latency');
        await put(client, 'slow');
        expect(await exists(direct, 'slow')).toBe(true);
        expect(proxy.log).toEqual([
          expect.objectContaining({ kind: 'latency', delayMs: 50, upstream: expect.anything() }),
        ]);
      } finally {
        client.destroy();
        await proxy.close();
      }
    });
  });

  it('the SDK retries hide throttling, 500s and resets before forwarding', async () => {
    const proxy = await startDynamoDBFaultProxy({ target: dynamodbEndpoint(), faultRate: 0 });
    const client = dynamoClient({ endpoint: proxy.endpoint, maxAttempts: 4 });
    try {
      proxy.injectNext('throttle');
      proxy.injectNext('server-error');
      proxy.injectNext('reset-before');
      await put(client, 'retried');
      expect(await exists(direct, 'retried')).toBe(true);
      expect(proxy.stats()).toMatchObject({
        requests: 4,
        injected: { throttle: 1, 'server-error': 1, 'reset-before': 1 },
      });
    } finally {
      client.destroy();
      await proxy.close();
    }
  });

  it('injects the configured share, and the same seed makes the same decisions', async () => {
    async function run(seed: number) {
      const proxy = await startDynamoDBFaultProxy({
        target: dynamodbEndpoint(),
        seed,
        latencyMs: [1, 3],
      });
      const client = dynamoClient({ endpoint: proxy.endpoint, maxAttempts: 1 });
      try {
        // Sequential, so the order of requests (and so of decisions) is fixed.
        for (let i = 0; i < 300; i++) await put(client, `seeded-${seed}-${i}`).catch(() => {});
        return { kinds: proxy.log.map((f) => `${f.seq}:${f.kind}`), stats: proxy.stats() };
      } finally {
        client.destroy();
        await proxy.close();
      }
    }
    const first = await run(7);
    const again = await run(7);
    const other = await run(8);
    expect(again.kinds).toEqual(first.kinds);
    expect(other.kinds).not.toEqual(first.kinds);
    // 20% of 300 is 60; a fair draw stays well inside these bounds.
    expect(first.stats.totalInjected).toBeGreaterThan(30);
    expect(first.stats.totalInjected).toBeLessThan(90);
    for (const count of Object.values(first.stats.injected)) expect(count).toBeGreaterThan(0);
  });
});
