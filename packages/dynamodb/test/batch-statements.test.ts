import type { BatchExecuteStatementInput, BatchStatementResponse } from '@aws-sdk/client-dynamodb';
import { StoreError } from '@oncely/core';
import { describe, expect, it } from 'vitest';
import { DynamoDBStore } from '../src/index.js';
import { fakeClient, inputOf, type SentCommand } from './fake-client.js';

const T = 1_900_000_000_000;
const claimItem = (key: string) => ({ key, leaseMs: 30_000, ttlMs: 60_000, now: T });

/** Answers each statement of a batch with `answer(statement, attempt of that key)`. */
function batchStore(
  answer: (statement: string, key: string, attempt: number) => BatchStatementResponse,
  options: { maxStatementsPerRequest?: number } = {},
) {
  const attempts = new Map<string, number>();
  const { client, sent } = fakeClient((command: SentCommand) => {
    const input = command.input as unknown as BatchExecuteStatementInput;
    return {
      $metadata: {},
      Responses: (input.Statements ?? []).map((statement) => {
        const key = statement.Parameters?.find((p) => p.S?.startsWith('ns#'))?.S ?? '';
        const verb = statement.Statement?.split(' ')[0] ?? '';
        const id = `${verb} ${key}`;
        const attempt = (attempts.get(id) ?? 0) + 1;
        attempts.set(id, attempt);
        return answer(statement.Statement ?? '', key, attempt);
      }),
    };
  });
  const store = new DynamoDBStore({
    tableName: 'oncely',
    client,
    batch: { maxAttempts: 3, ...options },
  });
  return { store, sent };
}

const keysOf = (sent: readonly SentCommand[], index: number) =>
  (inputOf<BatchExecuteStatementInput>(sent, index).Statements ?? []).map(
    (statement) => statement.Parameters?.find((p) => p.S?.startsWith('ns#'))?.S,
  );

describe('DynamoDBStore batch statements', () => {
  it('retries a statement throttled inside the HTTP 200, and only that one', async () => {
    const { store, sent } = batchStore((_statement, key, attempt) =>
      key === 'ns#b' && attempt === 1
        ? { Error: { Code: 'ThrottlingError', Message: 'slow down' } }
        : {},
    );
    const results = await store.claimMany(['ns#a', 'ns#b', 'ns#c'].map(claimItem));
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
    expect(keysOf(sent, 0)).toEqual(['ns#a', 'ns#b', 'ns#c']);
    expect(keysOf(sent, 1)).toEqual(['ns#b']);
    expect(sent).toHaveLength(2);
  });

  it('fails only the key whose statement kept failing, with a retryable StoreError naming it', async () => {
    const { store, sent } = batchStore((_statement, key) =>
      key === 'ns#b' ? { Error: { Code: 'ProvisionedThroughputExceeded', Message: 'busy' } } : {},
    );
    const results = await store.claimMany(['ns#a', 'ns#b'].map(claimItem));
    expect(results[0]?.status).toBe('fulfilled');
    const failed = results[1] as PromiseRejectedResult;
    expect(failed.reason).toBeInstanceOf(StoreError);
    expect(failed.reason).toMatchObject({ storeKey: 'ns#b', retryable: true, operation: 'claim' });
    expect(sent).toHaveLength(3); // maxAttempts: 3
  });

  it('does not retry a statement refused for good, and names the cause', async () => {
    const { store, sent } = batchStore(() => ({
      Error: {
        Code: 'ValidationError',
        Message: 'Item size has exceeded the maximum allowed size',
      },
    }));
    const [result] = await store.claimMany([claimItem('ns#a'), claimItem('ns#z')]);
    expect((result as PromiseRejectedResult).reason).toMatchObject({
      retryable: false,
      message: expect.stringContaining('ValidationError'),
    });
    expect(sent).toHaveLength(1);
  });

  it('reports a missing table as TableNotFoundError for each key', async () => {
    const { store } = batchStore(() => ({
      Error: { Code: 'ResourceNotFound', Message: 'no table' },
    }));
    const results = await store.completeMany([
      { key: 'ns#a', token: 't', ttlMs: 1, now: T },
      { key: 'ns#b', token: 't', ttlMs: 1, now: T },
    ]);
    for (const result of results) {
      expect((result as PromiseRejectedResult).reason).toMatchObject({
        name: 'TableNotFoundError',
      });
    }
  });

  it('never sends one key twice in a request', async () => {
    const { store, sent } = batchStore(() => ({}));
    await store.releaseMany([
      { key: 'ns#a', token: 't1' },
      { key: 'ns#a', token: 't2' },
      { key: 'ns#b', token: 't3' },
    ]);
    expect(keysOf(sent, 0)).toEqual(['ns#a', 'ns#b']);
    expect(keysOf(sent, 1)).toEqual(['ns#a']);
  });

  it('splits at maxStatementsPerRequest', async () => {
    const { store, sent } = batchStore(() => ({}), { maxStatementsPerRequest: 2 });
    await store.claimMany(['ns#a', 'ns#b', 'ns#c', 'ns#d', 'ns#e'].map(claimItem));
    expect(sent.map((_, index) => keysOf(sent, index).length)).toEqual([2, 2, 1]);
  });

  it('re-runs a claim whose INSERT answer was lost and recognises its own token', async () => {
    let token: string | undefined;
    const { client, sent } = fakeClient((command) => {
      const statement = (command.input as unknown as BatchExecuteStatementInput).Statements?.[0];
      if (sent.length === 1) {
        token = statement?.Parameters?.[2]?.S;
        throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
      }
      if (statement?.Statement?.startsWith('INSERT')) {
        return { $metadata: {}, Responses: [{ Error: { Code: 'DuplicateItem' } }, {}] };
      }
      const mine = {
        pk: { S: 'ns#a' },
        status: { S: 'IN_PROGRESS' },
        token: { S: token as string },
        leaseUntil: { N: String(T + 30_000) },
        expiresAt: { N: String(T / 1000 + 60) },
      };
      return {
        $metadata: {},
        Responses: [{ Error: { Code: 'ConditionalCheckFailed', Item: mine } }],
      };
    });
    const store = new DynamoDBStore({ tableName: 'oncely', client });
    const [first, second] = await store.claimMany([claimItem('ns#a'), claimItem('ns#b')]);
    expect(first).toMatchObject({ status: 'fulfilled', value: { kind: 'claimed', token } });
    expect(second).toMatchObject({ status: 'fulfilled', value: { kind: 'claimed' } });
    // The lost send, the re-sent INSERTs, the UPDATE round for the key that existed.
    expect(sent).toHaveLength(3);
  });

  it('refuses an oversized completion before sending, and sends its siblings', async () => {
    const { store, sent } = batchStore(() => ({}));
    const results = await store.completeMany([
      { key: 'ns#a', token: 't', ttlMs: 1, now: T, result: 'x'.repeat(410_000) },
      { key: 'ns#b', token: 't', ttlMs: 1, now: T, result: 'ok' },
    ]);
    expect((results[0] as PromiseRejectedResult).reason).toMatchObject({
      name: 'ItemTooLargeError',
    });
    expect(results[1]).toMatchObject({ status: 'fulfilled', value: { ok: true } });
    expect(keysOf(sent, 0)).toEqual(['ns#b']);
  });

  it('refuses bad batch options by name', () => {
    const { client } = fakeClient(() => ({}));
    expect(
      () =>
        new DynamoDBStore({ tableName: 'oncely', client, batch: { maxStatementsPerRequest: 26 } }),
    ).toThrow(/batch\.maxStatementsPerRequest/);
  });
});
