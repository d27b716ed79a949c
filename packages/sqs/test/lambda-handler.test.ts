import {
  type ClaimOptions,
  type DedupStore,
  InProgressError,
  LeaseLostError,
  ManualClock,
  MemoryStore,
  StoreError,
} from '@oncely/core';
import { describe, expect, it } from 'vitest';
import {
  createSqsHandler,
  GroupBlockedError,
  InvocationDeadlineError,
  MessageBodyError,
  MessageKeyError,
  type RecordOutcome,
} from '../src/index.js';
import {
  deferred,
  event,
  expectInvalidOption,
  failedIds,
  lambdaContext,
  record,
  recordingLogger,
} from './fixtures.js';

describe('createSqsHandler: outcomes', () => {
  it('acknowledges processed and duplicate records; the handler runs once per message ID', async () => {
    const seen: string[] = [];
    const handler = createSqsHandler({
      store: new MemoryStore(),
      handler: (r) => {
        seen.push(r.messageId);
      },
    });
    const first = await handler(event(record('a'), record('b')), lambdaContext());
    const redelivery = await handler(event(record('a'), record('c')), lambdaContext());
    expect(failedIds(first)).toEqual([]);
    expect(failedIds(redelivery)).toEqual([]);
    expect(seen.sort()).toEqual(['a', 'b', 'c']);
  });

  it('reports a handler error as a failure and releases the claim, so the retry runs', async () => {
    let attempts = 0;
    const logger = recordingLogger();
    const handler = createSqsHandler({
      store: new MemoryStore(),
      logger,
      handler: () => {
        attempts++;
        if (attempts === 1) throw new Error('payment API down');
      },
    });
    expect(failedIds(await handler(event(record('a')), lambdaContext()))).toEqual(['a']);
    expect(failedIds(await handler(event(record('a')), lambdaContext()))).toEqual([]);
    expect(attempts).toBe(2);
    const failure = logger.lines.find((line) => line.level === 'error');
    expect(failure?.context).toMatchObject({
      messageId: 'a',
      key: 'a',
      error: { message: 'payment API down' },
    });
  });

  it('reports a key held by a live claim as failed (InProgressError) without running it', async () => {
    const store = new MemoryStore();
    const release = deferred();
    const runs: string[] = [];
    const outcomes: RecordOutcome<unknown>[] = [];
    const handler = createSqsHandler({
      store,
      key: { field: 'orderId' },
      onOutcome: (outcome) => outcomes.push(outcome),
      handler: async (r) => {
        runs.push(r.messageId);
        await release.promise;
      },
    });
    const body = JSON.stringify({ orderId: 'o-1' });
    const slow = handler(event(record('m-1', { body })), lambdaContext());
    await waitFor(() => runs.length === 1);
    const concurrent = await handler(event(record('m-2', { body })), lambdaContext());
    release.resolve();
    expect(failedIds(await slow)).toEqual([]);
    expect(failedIds(concurrent)).toEqual(['m-2']);
    expect(runs).toEqual(['m-1']);
    const failed = outcomes.find((outcome) => outcome.status === 'failed');
    expect(failed).toMatchObject({ messageId: 'm-2', key: 'o-1' });
    expect(failed?.status === 'failed' && failed.error).toBeInstanceOf(InProgressError);
  });

  it('reports a store error as a failure, never as success', async () => {
    const store = failingStore(new MemoryStore());
    const ran: string[] = [];
    const handler = createSqsHandler({ store, handler: (r) => void ran.push(r.messageId) });
    const outcomes: RecordOutcome<unknown>[] = [];
    const withOutcomes = createSqsHandler({
      store,
      onOutcome: (o) => outcomes.push(o),
      handler: () => {},
    });
    expect(failedIds(await handler(event(record('a'), record('b')), lambdaContext()))).toEqual([
      'a',
      'b',
    ]);
    expect(ran).toEqual([]);
    await withOutcomes(event(record('c')), lambdaContext());
    expect(outcomes[0]?.status === 'failed' && outcomes[0].error).toBeInstanceOf(StoreError);
  });

  it('reports a lost lease (another delivery took over) as a failure with LeaseLostError', async () => {
    const clock = new ManualClock();
    const store = new MemoryStore();
    const outcomes: RecordOutcome<unknown>[] = [];
    let calls = 0;
    const handler = createSqsHandler({
      store,
      clock,
      lease: '10s',
      onOutcome: (o) => outcomes.push(o),
      handler: async () => {
        calls++;
        if (calls > 1) return;
        // The first delivery stalls past its lease; a redelivery takes the key over.
        clock.advance(11_000);
        await handler(event(record('a')), lambdaContext());
      },
    });
    const response = await handler(event(record('a')), lambdaContext());
    expect(failedIds(response)).toEqual(['a']);
    const last = outcomes.at(-1);
    expect(last?.status === 'failed' && last.error).toBeInstanceOf(LeaseLostError);
    expect(outcomes[0]?.status).toBe('processed');
  });

  it('fails unparseable bodies and missing keys with typed errors carrying the message ID', async () => {
    const logger = recordingLogger();
    const ran: string[] = [];
    const handler = createSqsHandler({
      store: new MemoryStore(),
      key: { field: 'detail.id' },
      logger,
      handler: (r) => void ran.push(r.messageId),
    });
    const response = await handler(
      event(
        record('bad-json', { body: '{oops' }),
        record('no-key', { body: '{"detail":{}}' }),
        record('ok', { body: '{"detail":{"id":"e-1"}}' }),
      ),
      lambdaContext(),
    );
    expect(failedIds(response)).toEqual(['bad-json', 'no-key']);
    expect(ran).toEqual(['ok']);
    const errors = logger.lines
      .filter((line) => line.level === 'error')
      .map((line) => line.context?.error);
    expect(errors[0]).toBeInstanceOf(MessageBodyError);
    expect(errors[0]).toMatchObject({ messageId: 'bad-json' });
    expect(errors[1]).toBeInstanceOf(MessageKeyError);
    expect(errors[1]).toMatchObject({ messageId: 'no-key', source: 'body field detail.id' });
  });

  it('keys by a body event ID so producer retries (new message IDs) run once', async () => {
    const charges: string[] = [];
    const handler = createSqsHandler({
      store: new MemoryStore(),
      key: { field: '$.eventId' },
      handler: (r) => void charges.push(JSON.parse(r.body).eventId),
    });
    const body = JSON.stringify({ eventId: 'evt-1' });
    await handler(event(record('m-1', { body })), lambdaContext());
    const retry = await handler(event(record('m-2', { body })), lambdaContext());
    expect(failedIds(retry)).toEqual([]);
    expect(charges).toEqual(['evt-1']);
  });
});

describe('createSqsHandler: standard and FIFO batches', () => {
  it('runs standard records in parallel, at most `concurrency` at a time', async () => {
    let inFlight = 0;
    let peak = 0;
    const handler = createSqsHandler({
      store: new MemoryStore(),
      concurrency: 3,
      handler: async () => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await new Promise((resolve) => setImmediate(resolve));
        inFlight--;
      },
    });
    const records = Array.from({ length: 10 }, (_, i) => record(`m-${i}`));
    expect(failedIds(await handler(event(...records), lambdaContext()))).toEqual([]);
    expect(peak).toBe(3);
  });

  it('runs standard records with the same key one after another: the later copy is a duplicate', async () => {
    let inFlight = 0;
    let peak = 0;
    const ran: string[] = [];
    const outcomes: RecordOutcome<unknown>[] = [];
    const handler = createSqsHandler({
      store: new MemoryStore(),
      key: { field: 'orderId' },
      onOutcome: (o) => outcomes.push(o),
      handler: async (r) => {
        ran.push(r.messageId);
        inFlight++;
        peak = Math.max(peak, inFlight);
        await new Promise((resolve) => setImmediate(resolve));
        inFlight--;
      },
    });
    const response = await handler(
      event(
        record('m-1', { body: JSON.stringify({ orderId: 'o-1' }) }),
        record('m-2', { body: JSON.stringify({ orderId: 'o-2' }) }),
        record('m-3', { body: JSON.stringify({ orderId: 'o-1' }) }),
      ),
      lambdaContext(),
    );
    expect(failedIds(response)).toEqual([]);
    expect(ran.sort()).toEqual(['m-1', 'm-2']);
    expect(peak).toBe(2);
    expect(outcomes.find((o) => o.messageId === 'm-3')).toMatchObject({
      status: 'duplicate',
      key: 'o-1',
    });
  });

  it('still fails standard records without a readable key, each on its own', async () => {
    const handler = createSqsHandler({
      store: new MemoryStore(),
      key: { field: 'orderId' },
      handler: () => {},
    });
    const response = await handler(
      event(
        record('no-key-1', { body: '{}' }),
        record('ok', { body: JSON.stringify({ orderId: 'o-1' }) }),
        record('no-key-2', { body: 'not json' }),
      ),
      lambdaContext(),
    );
    expect(failedIds(response)).toEqual(['no-key-1', 'no-key-2']);
  });

  it('runs FIFO groups in order; after a failure the rest of the group fails without running', async () => {
    const ran: string[] = [];
    const outcomes: RecordOutcome<unknown>[] = [];
    const handler = createSqsHandler({
      store: new MemoryStore(),
      onOutcome: (o) => outcomes.push(o),
      handler: (r) => {
        ran.push(r.messageId);
        if (r.messageId === 'a2') throw new Error('a2 failed');
      },
    });
    const response = await handler(
      event(
        record('a1', { groupId: 'A' }),
        record('b1', { groupId: 'B' }),
        record('a2', { groupId: 'A' }),
        record('b2', { groupId: 'B' }),
        record('a3', { groupId: 'A' }),
      ),
      lambdaContext(),
    );
    expect(failedIds(response)).toEqual(['a2', 'a3']);
    expect(ran.filter((id) => id.startsWith('a'))).toEqual(['a1', 'a2']);
    expect(ran.filter((id) => id.startsWith('b'))).toEqual(['b1', 'b2']);
    const blocked = outcomes.find((o) => o.messageId === 'a3');
    expect(blocked?.status === 'failed' && blocked.error).toBeInstanceOf(GroupBlockedError);
    expect(blocked?.status === 'failed' && blocked.error).toMatchObject({
      groupId: 'A',
      blockedBy: 'a2',
    });
  });

  it('runs a FIFO group strictly one message after another', async () => {
    let inFlight = 0;
    let peak = 0;
    const handler = createSqsHandler({
      store: new MemoryStore(),
      handler: async () => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await new Promise((resolve) => setImmediate(resolve));
        inFlight--;
      },
    });
    const records = Array.from({ length: 5 }, (_, i) => record(`m-${i}`, { groupId: 'G' }));
    await handler(event(...records), lambdaContext());
    expect(peak).toBe(1);
  });

  it('fifo: false treats a FIFO event as standard (no group blocking)', async () => {
    const handler = createSqsHandler({
      store: new MemoryStore(),
      fifo: false,
      handler: (r) => {
        if (r.messageId === 'a1') throw new Error('fails');
      },
    });
    const response = await handler(
      event(record('a1', { groupId: 'A' }), record('a2', { groupId: 'A' })),
      lambdaContext(),
    );
    expect(failedIds(response)).toEqual(['a1']);
  });
});

describe('createSqsHandler: lease, namespace and deadline', () => {
  it('caps the lease by the remaining time and defaults the namespace to the function name', async () => {
    const claims: { key: string; options: ClaimOptions }[] = [];
    const store = spyingStore(new MemoryStore(), claims);
    const handler = createSqsHandler({ store, lease: '60s', handler: () => {} });
    await handler(
      event(record('a')),
      lambdaContext({ functionName: 'billing', remainingMs: 5_000 }),
    );
    await handler(
      event(record('b')),
      lambdaContext({ functionName: 'billing', remainingMs: 900_000 }),
    );
    expect(claims.map((c) => [c.key, c.options.leaseMs])).toEqual([
      ['billing#a', 5_000],
      ['billing#b', 60_000],
    ]);
  });

  it('uses an explicit namespace over the function name', async () => {
    const claims: { key: string; options: ClaimOptions }[] = [];
    const handler = createSqsHandler({
      store: spyingStore(new MemoryStore(), claims),
      namespace: 'orders',
      handler: () => {},
    });
    await handler(event(record('a')), lambdaContext({ functionName: 'billing' }));
    expect(claims[0]?.key).toBe('orders#a');
  });

  it('does not start records when the invocation is within the timeout margin', async () => {
    const ran: string[] = [];
    const logger = recordingLogger();
    const handler = createSqsHandler({
      store: new MemoryStore(),
      timeoutMargin: '2s',
      logger,
      handler: (r) => void ran.push(r.messageId),
    });
    const response = await handler(event(record('a')), lambdaContext({ remainingMs: 1_500 }));
    expect(failedIds(response)).toEqual(['a']);
    expect(ran).toEqual([]);
    expect(logger.lines[0]?.level).toBe('warn');
    expect(logger.lines[0]?.context?.error).toBeInstanceOf(InvocationDeadlineError);
  });

  it('passes the record context: message ID, receive count, Lambda context and run context', async () => {
    let seen: unknown;
    const context = lambdaContext();
    const handler = createSqsHandler({
      store: new MemoryStore(),
      namespace: 'ns',
      handler: (_, ctx) => {
        seen = {
          messageId: ctx.messageId,
          receiveCount: ctx.receiveCount,
          lambda: ctx.lambdaContext === context,
          storeKey: ctx.storeKey,
          aborted: ctx.signal.aborted,
        };
      },
    });
    await handler(event(record('a', { receiveCount: 3 })), context);
    expect(seen).toEqual({
      messageId: 'a',
      receiveCount: 3,
      lambda: true,
      storeKey: 'ns#a',
      aborted: false,
    });
  });

  it('validates options at construction, naming the option', () => {
    const store = new MemoryStore();
    const handler = () => {};
    const bad: [string, Record<string, unknown>][] = [
      ['handler', { store }],
      ['concurrency', { store, handler, concurrency: 0 }],
      ['fifo', { store, handler, fifo: 'yes' }],
      ['timeoutMargin', { store, handler, timeoutMargin: 'soon' }],
      ['key', { store, handler, key: { field: '' } }],
      ['onOutcome', { store, handler, onOutcome: 'log' }],
      ['namespace', { store, handler, namespace: '' }],
      ['lease', { store, handler, lease: -1 }],
      ['store', { handler }],
    ];
    for (const [option, options] of bad)
      expectInvalidOption(() => createSqsHandler(options as never), option);
  });

  it('shows a bad option value readably', () => {
    const store = new MemoryStore();
    const handler = () => {};
    const shown: [Record<string, unknown>, string][] = [
      [{ store, handler, key: { bodyFeild: 'id' } }, 'got {"bodyFeild":"id"}'],
      [{ store, handler, key: { bodyField: 'id' } }, 'write { field: "id" }'],
      [{ store, handler, concurrency: '10' }, 'got "10"'],
      [{ store, handler, fifo: 'yes' }, 'got "yes"'],
      [{ store, handler, timeoutMargin: 'soon' }, 'got "soon"'],
      [{ store, handler: { handle: 1 } }, 'got {"handle":1}'],
    ];
    for (const [options, text] of shown) {
      expect(() => createSqsHandler(options as never), text).toThrow(text);
    }
  });
});

function spyingStore(
  store: DedupStore,
  claims: { key: string; options: ClaimOptions }[],
): DedupStore {
  return {
    name: store.name,
    claim: (key, options) => {
      claims.push({ key, options });
      return store.claim(key, options);
    },
    complete: (...args) => store.complete(...args),
    release: (...args) => store.release(...args),
    extendLease: (...args) => store.extendLease(...args),
    get: (...args) => store.get(...args),
    delete: (...args) => store.delete(...args),
  };
}

/** A store whose claims fail as a throttled DynamoDB would. */
function failingStore(store: DedupStore): DedupStore {
  return {
    ...spyingStore(store, []),
    claim: async () => {
      throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    },
  };
}

async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !condition(); i++)
    await new Promise((resolve) => setImmediate(resolve));
  if (!condition()) throw new Error('condition not met');
}
