import { randomUUID } from 'node:crypto';
import {
  BatchExecuteStatementCommand,
  CreateTableCommand,
  DeleteTableCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { describeWithServers, dynamoClient, dynamodbEndpoint } from '@oncely/test-support/servers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FAULT_KINDS,
  type FaultKind,
  STATEMENT_FAULT_KINDS,
  startDynamoDBFaultProxy,
} from './dynamodb-fault-proxy.js';

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

/** One `BatchExecuteStatement` of an INSERT per key, as the store's claims send them. */
function insertAll(client: DynamoDBClient, pks: readonly string[]) {
  return client.send(
    new BatchExecuteStatementCommand({
      Statements: pks.map((pk) => ({
        Statement: `INSERT INTO "${table}" VALUE {'pk': ?, 'n': ?}`,
        Parameters: [{ S: pk }, { N: '1' }],
      })),
    }),
  );
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

  describe('single statements of a BatchExecuteStatement, inside an HTTP 200', () => {
    it('statement-error: only the chosen statement fails, with its code and table, and is not applied; its siblings are', async () => {
      const proxy = await startDynamoDBFaultProxy({ target: dynamodbEndpoint(), faultRate: 0 });
      const client = dynamoClient({ endpoint: proxy.endpoint, maxAttempts: 1 });
      const [a, b, c] = ['stmt-a', 'stmt-b', 'stmt-c'];
      try {
        proxy.injectNext('statement-error', 'BatchExecuteStatement', {
          keys: [b],
          code: 'ThrottlingError',
        });
        const { Responses } = await insertAll(client, [a, b, c]);
        expect(Responses).toHaveLength(3);
        expect(Responses?.[0]?.Error).toBeUndefined();
        expect(Responses?.[1]).toMatchObject({
          Error: { Code: 'ThrottlingError', Message: expect.any(String) },
          TableName: table,
        });
        expect(Responses?.[2]?.Error).toBeUndefined();
        expect(await exists(direct, a)).toBe(true);
        expect(await exists(direct, b)).toBe(false);
        expect(await exists(direct, c)).toBe(true);
        expect(proxy.log).toEqual([
          expect.objectContaining({
            kind: 'statement-error',
            operation: 'BatchExecuteStatement',
            key: a,
            statements: [
              expect.objectContaining({ index: 0, key: a, forwarded: true, applied: true }),
              {
                index: 1,
                key: b,
                statement: expect.stringMatching(/^INSERT/),
                forwarded: false,
                applied: false,
                injected: 'ThrottlingError',
              },
              expect.objectContaining({ index: 2, key: c, forwarded: true, applied: true }),
            ],
          }),
        ]);
        expect(proxy.stats()).toMatchObject({ statementErrors: 1, statementsAppliedButUnseen: 0 });
      } finally {
        client.destroy();
        await proxy.close();
      }
    });

    it('statement-error on every statement: nothing is forwarded, and each answer is an error', async () => {
      const proxy = await startDynamoDBFaultProxy({ target: dynamodbEndpoint(), faultRate: 0 });
      const client = dynamoClient({ endpoint: proxy.endpoint, maxAttempts: 1 });
      const keys = ['stmt-all-a', 'stmt-all-b'];
      try {
        proxy.injectNext('statement-error', 'BatchExecuteStatement', { keys });
        const { Responses } = await insertAll(client, keys);
        expect(Responses?.map((r) => r.Error?.Code)).toEqual([
          expect.stringMatching(
            /^(ThrottlingError|ProvisionedThroughputExceeded|InternalServerError)$/,
          ),
          expect.stringMatching(
            /^(ThrottlingError|ProvisionedThroughputExceeded|InternalServerError)$/,
          ),
        ]);
        for (const key of keys) expect(await exists(direct, key)).toBe(false);
        expect(proxy.log[0]?.upstream).toBeUndefined();
      } finally {
        client.destroy();
        await proxy.close();
      }
    });

    it('statement-error-after: the statement is applied, and answered InternalServerError', async () => {
      const proxy = await startDynamoDBFaultProxy({ target: dynamodbEndpoint(), faultRate: 0 });
      const client = dynamoClient({ endpoint: proxy.endpoint, maxAttempts: 1 });
      const [a, b] = ['stmt-after-a', 'stmt-after-b'];
      try {
        proxy.injectNext('statement-error-after', 'BatchExecuteStatement', { keys: [b] });
        const { Responses } = await insertAll(client, [a, b]);
        expect(Responses?.[0]?.Error).toBeUndefined();
        expect(Responses?.[1]?.Error).toMatchObject({ Code: 'InternalServerError' });
        expect(await exists(direct, a)).toBe(true);
        expect(await exists(direct, b)).toBe(true);
        expect(proxy.stats()).toMatchObject({ statementErrors: 1, statementsAppliedButUnseen: 1 });
      } finally {
        client.destroy();
        await proxy.close();
      }
    });

    it('reset-after on a batch: every applied statement is counted applied but unseen', async () => {
      const proxy = await startDynamoDBFaultProxy({ target: dynamodbEndpoint(), faultRate: 0 });
      const client = dynamoClient({ endpoint: proxy.endpoint, maxAttempts: 1 });
      const keys = ['stmt-reset-a', 'stmt-reset-b'];
      try {
        proxy.injectNext('reset-after', 'BatchExecuteStatement');
        expect((await failure(insertAll(client, keys))).code).toBe('ECONNRESET');
        for (const key of keys) expect(await exists(direct, key)).toBe(true);
        expect(proxy.stats()).toMatchObject({
          appliedButUnseen: 1,
          statementErrors: 0,
          statementsAppliedButUnseen: 2,
        });
      } finally {
        client.destroy();
        await proxy.close();
      }
    });

    it('random faults reach the statement kinds on batches, and the same seed fails the same statements', async () => {
      async function run(seed: number) {
        const proxy = await startDynamoDBFaultProxy({
          target: dynamodbEndpoint(),
          seed,
          faultRate: 0.5,
          weights: { 'statement-error': 1, 'statement-error-after': 1, latency: 0 },
        });
        const client = dynamoClient({ endpoint: proxy.endpoint, maxAttempts: 1 });
        try {
          for (let i = 0; i < 40; i++) {
            await insertAll(
              client,
              [0, 1, 2].map((j) => `rand-${seed}-${i}-${j}`),
            ).catch(() => {});
          }
          return {
            decisions: proxy.log.map(
              (f) => `${f.seq}:${f.kind}:${f.statements?.map((s) => s.injected ?? '-').join(',')}`,
            ),
            stats: proxy.stats(),
          };
        } finally {
          client.destroy();
          await proxy.close();
        }
      }
      const first = await run(3);
      expect((await run(3)).decisions).toEqual(first.decisions);
      expect(first.stats.injected['statement-error']).toBeGreaterThan(0);
      expect(first.stats.injected['statement-error-after']).toBeGreaterThan(0);
      expect(first.stats.statementErrors).toBeGreaterThanOrEqual(
        first.stats.injected['statement-error'] + first.stats.injected['statement-error-after'],
      );
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
    // A PutItem draws among the whole-request kinds only: statement kinds need a batch.
    for (const kind of FAULT_KINDS) {
      if (STATEMENT_FAULT_KINDS.includes(kind)) expect(first.stats.injected[kind]).toBe(0);
      else expect(first.stats.injected[kind]).toBeGreaterThan(0);
    }
  });
});
