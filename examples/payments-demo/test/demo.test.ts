import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Backends, openBackends } from '../src/backends.js';
import { parseCommand, UsageError } from '../src/cli.js';
import { DEFAULT_PLAN, planPayments } from '../src/plan.js';
import { formatReport, ROWS, unexplainedDoubleCharges } from '../src/report.js';
import { type DemoResult, runDemo, type Tally } from '../src/run.js';
import { expectDemoGuarantees } from './guarantees.js';

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
  const env = { SQS_ENDPOINT: 'http://127.0.0.1:9324', DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000' };

  it('runs in-process by default, even when the endpoint variables are set', () => {
    expect(parseCommand([], env)).toEqual({
      kind: 'run',
      backends: { sqsEndpoint: undefined, dynamodbEndpoint: undefined },
      json: false,
    });
  });

  it('replaces one part per endpoint flag', () => {
    expect(parseCommand(['--dynamodb-endpoint', 'http://localhost:8000'], {})).toMatchObject({
      backends: { sqsEndpoint: undefined, dynamodbEndpoint: 'http://localhost:8000' },
    });
    expect(parseCommand(['--sqs-endpoint=http://localhost:9324', '--json'], {})).toMatchObject({
      backends: { sqsEndpoint: 'http://localhost:9324', dynamodbEndpoint: undefined },
      json: true,
    });
  });

  it('takes both endpoints from the environment with --real, a flag overriding its variable', () => {
    expect(parseCommand(['--real'], env)).toMatchObject({
      backends: { sqsEndpoint: env.SQS_ENDPOINT, dynamodbEndpoint: env.DYNAMODB_ENDPOINT },
    });
    expect(
      parseCommand(['--real', '--sqs-endpoint', 'http://elsewhere:1'], {
        DYNAMODB_ENDPOINT: 'http://d:2',
      }),
    ).toMatchObject({
      backends: { sqsEndpoint: 'http://elsewhere:1', dynamodbEndpoint: 'http://d:2' },
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
