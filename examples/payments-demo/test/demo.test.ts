import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Backends, openBackends } from '../src/backends.js';
import { LOCAL_URLS, parseCommand, UsageError } from '../src/cli.js';
import { DEFAULT_PLAN, planPayments } from '../src/plan.js';
import { formatReport, ROWS, unexplainedDoubleCharges } from '../src/report.js';
import { type DemoResult, runDemo, type Tally } from '../src/run.js';
import { expectDemoGuarantees, reportRow } from './guarantees.js';

describe('the plan', () => {
  const plan = planPayments(DEFAULT_PLAN);

  it('sends some payments twice, right behind the first copy and at the end', () => {
    const ids = plan.messages.map((m) => m.paymentId);
    const twice = [...new Set(ids)].filter((id) => ids.indexOf(id) !== ids.lastIndexOf(id));
    expect(twice.length).toBeGreaterThan(5);
    expect(twice.some((id) => ids.lastIndexOf(id) === ids.indexOf(id) + 1)).toBe(true);
    expect(twice.some((id) => ids.lastIndexOf(id) >= DEFAULT_PLAN.payments)).toBe(true);
    expect(new Set(ids).size).toBe(DEFAULT_PLAN.payments);
  });

  it('crashes payments sent once, before and after charging', () => {
    const points = [...plan.crashes.values()];
    expect(points.filter((p) => p === 'before-charge')).toHaveLength(2);
    expect(points.filter((p) => p === 'after-charge')).toHaveLength(2);
    for (const id of plan.crashes.keys()) {
      expect(plan.messages.filter((m) => m.paymentId === id)).toHaveLength(1);
    }
  });

  it('is the same on every run', () => {
    expect(planPayments(DEFAULT_PLAN)).toEqual(plan);
  });
});

describe('the command line', () => {
  const env = {
    SQS_ENDPOINT: 'http://127.0.0.1:9324',
    DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000',
    POSTGRES_URL: 'postgres://postgres@db:5432/payments',
    REDIS_URL: 'redis://cache:6380',
  };

  it('runs in-process by default, even when the endpoint variables are set', () => {
    expect(parseCommand([], env)).toEqual({
      kind: 'run',
      backends: { sqsEndpoint: undefined, store: { kind: 'memory' } },
      json: false,
    });
    expect(parseCommand(['--store', 'memory'], env)).toMatchObject({
      backends: { store: { kind: 'memory' } },
    });
  });

  it('replaces one part per endpoint flag', () => {
    expect(parseCommand(['--dynamodb-endpoint', 'http://localhost:8000'], {})).toMatchObject({
      backends: {
        sqsEndpoint: undefined,
        store: { kind: 'dynamodb', endpoint: 'http://localhost:8000' },
      },
    });
    expect(parseCommand(['--sqs-endpoint=http://localhost:9324', '--json'], {})).toMatchObject({
      backends: { sqsEndpoint: 'http://localhost:9324', store: { kind: 'memory' } },
      json: true,
    });
  });

  it('takes both endpoints from the environment with --real, a flag overriding its variable', () => {
    expect(parseCommand(['--real'], env)).toMatchObject({
      backends: {
        sqsEndpoint: env.SQS_ENDPOINT,
        store: { kind: 'dynamodb', endpoint: env.DYNAMODB_ENDPOINT },
      },
    });
    expect(
      parseCommand(['--real', '--sqs-endpoint', 'http://elsewhere:1'], {
        DYNAMODB_ENDPOINT: 'http://d:2',
      }),
    ).toMatchObject({
      backends: {
        sqsEndpoint: 'http://elsewhere:1',
        store: { kind: 'dynamodb', endpoint: 'http://d:2' },
      },
    });
  });

  it('picks the store with --store: postgres and redis from their flag, else their variable, else the local service', () => {
    expect(parseCommand(['--store', 'postgres'], env)).toMatchObject({
      backends: { sqsEndpoint: undefined, store: { kind: 'postgres', url: env.POSTGRES_URL } },
    });
    expect(
      parseCommand(['--store=postgres', '--postgres-url', 'postgresql://u@h/db'], env),
    ).toMatchObject({ backends: { store: { kind: 'postgres', url: 'postgresql://u@h/db' } } });
    expect(parseCommand(['--store', 'postgres'], {})).toMatchObject({
      backends: { store: { kind: 'postgres', url: LOCAL_URLS.postgres } },
    });
    expect(parseCommand(['--store', 'redis'], env)).toMatchObject({
      backends: { store: { kind: 'redis', url: env.REDIS_URL } },
    });
    expect(parseCommand(['--store', 'redis'], {})).toMatchObject({
      backends: { store: { kind: 'redis', url: LOCAL_URLS.redis } },
    });
    expect(parseCommand(['--store', 'dynamodb'], env)).toMatchObject({
      backends: { store: { kind: 'dynamodb', endpoint: env.DYNAMODB_ENDPOINT } },
    });
  });

  it('lets a store URL flag imply its store, and --store override --real’s DynamoDB', () => {
    expect(parseCommand(['--redis-url', 'rediss://r:6379'], {})).toMatchObject({
      backends: { store: { kind: 'redis', url: 'rediss://r:6379' } },
    });
    expect(parseCommand(['--postgres-url', 'postgres://p/db'], {})).toMatchObject({
      backends: { store: { kind: 'postgres', url: 'postgres://p/db' } },
    });
    expect(parseCommand(['--real', '--store', 'postgres'], env)).toMatchObject({
      backends: {
        sqsEndpoint: env.SQS_ENDPOINT,
        store: { kind: 'postgres', url: env.POSTGRES_URL },
      },
    });
  });

  it('rejects --real with a variable missing, bad URLs and unknown flags', () => {
    expect(() => parseCommand(['--real'], { SQS_ENDPOINT: env.SQS_ENDPOINT })).toThrow(
      /--real: DYNAMODB_ENDPOINT is not set/,
    );
    expect(() => parseCommand(['--sqs-endpoint', 'localhost:9324'], {})).toThrow(UsageError);
    expect(() => parseCommand(['--sqs-endpoint'], {})).toThrow(UsageError);
    expect(() => parseCommand(['--fast'], {})).toThrow(UsageError);
    expect(() => parseCommand(['extra'], {})).toThrow(UsageError);
  });

  it('rejects an unknown store, a URL of the wrong kind, a URL flag for another store, and two stores', () => {
    expect(() => parseCommand(['--store', 'mysql'], {})).toThrow(
      /--store: expected one of memory, dynamodb, postgres, redis/,
    );
    expect(() => parseCommand(['--store', 'dynamodb'], {})).toThrow(
      /--store dynamodb: DYNAMODB_ENDPOINT is not set/,
    );
    expect(() => parseCommand(['--postgres-url', 'http://h:5432'], {})).toThrow(
      /--postgres-url: expected a postgres URL/,
    );
    expect(() => parseCommand(['--store', 'redis'], { REDIS_URL: 'localhost:6379' })).toThrow(
      /REDIS_URL: expected a redis URL/,
    );
    expect(() =>
      parseCommand(['--store', 'redis', '--postgres-url', 'postgres://p/db'], {}),
    ).toThrow(/--postgres-url is for --store postgres, not redis/);
    expect(() =>
      parseCommand(['--postgres-url', 'postgres://p/db', '--redis-url', 'redis://r'], {}),
    ).toThrow(/give one store/);
  });

  it('answers --help', () => {
    expect(parseCommand(['-h'], {})).toEqual({ kind: 'help' });
  });
});

describe('the demo on the SQS emulator and the in-memory store', () => {
  let backends: Backends;
  let result: DemoResult;
  let resourcesBefore: string[];

  beforeAll(async () => {
    resourcesBefore = process.getActiveResourcesInfo();
    backends = await openBackends();
    result = await runDemo(backends);
  }, 60_000);
  afterAll(() => backends?.close());

  it('shows the guarantees of each consumer', () => {
    expectDemoGuarantees(result);
  });

  it('prints one row per count and one column per consumer', () => {
    const report = formatReport(result);
    const tally = (mode: Tally['mode']) => result.tallies.find((t) => t.mode === mode) as Tally;
    for (const [field, label] of ROWS) {
      const row = report.split('\n').find((line) => line.startsWith(`| ${label} `));
      const cells = row
        ?.split('|')
        .slice(2, 5)
        .map((cell) => Number(cell.trim()));
      expect(cells).toEqual([
        tally('none')[field],
        tally('oncely')[field],
        tally('transactional')[field],
      ]);
    }
    const doubles = tally('oncely').doubleCharged;
    expect(report).toContain(`here ${doubles} of the ${doubles} double charges follow one`);
    expect(unexplainedDoubleCharges(tally('oncely'))).toEqual([]);
  });

  it('marks the transactional column not available on a store without it, and says why', () => {
    const report = formatReport({
      ...result,
      tallies: result.tallies.filter((t) => t.mode !== 'transactional'),
      transactionalUnavailable: 'RedisStore has no transactional mode.',
    });
    const cells = (label: string) => reportRow(report, label);
    expect(cells('')).toEqual(['without oncely', 'oncely', 'oncely, transactional']);
    expect(cells('deliveries (incl. redeliveries)')?.[2]).toBe('not available');
    for (const [, label] of ROWS.slice(1)) expect(cells(label)?.[2]).toBe('-');
    expect(report).toContain(
      '- Transactional mode is not available here: RedisStore has no transactional mode.',
    );
    expect(report).not.toContain('In transactional mode nothing is claimed');
  });

  it('leaves no server, socket or timer open after close', async () => {
    await backends.close();
    // Stdio pipes and file reads come and go with the test runner's own output, so
    // only sockets, servers and timers count. A closed server's handle goes on a later
    // turn of the event loop, hence the polling (each sleep's timer has fired by then).
    const types = ['TCPServerWrap', 'TCPSocketWrap', 'Timeout', 'Immediate'];
    const leftOver = () => {
      const after = process.getActiveResourcesInfo();
      return types.filter(
        (type) =>
          after.filter((r) => r === type).length > resourcesBefore.filter((r) => r === type).length,
      );
    };
    for (let attempt = 0; attempt < 100 && leftOver().length > 0; attempt++) await sleep(20);
    expect(leftOver()).toEqual([]);
  });
});
