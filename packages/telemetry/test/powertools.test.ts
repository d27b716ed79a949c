import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { MemoryStore } from '@oncely/core';
import { createSqsHandler } from '@oncely/sqs';
import { createLambdaContext, createSqsEvent, createSqsRecord } from '@oncely/sqs/testing';
import { combineTelemetry } from '@oncely/telemetry';
import { POWERTOOLS_METRICS, powertools } from '@oncely/telemetry/powertools';
import { afterEach, describe, expect, it, vi } from 'vitest';

const records = (...ids: string[]) =>
  createSqsEvent(...ids.map((messageId) => createSqsRecord(messageId, { body: messageId })));

/** Everything Powertools writes (its own Console on the process streams), as JSON lines. */
function captureStdout() {
  const chunks: string[] = [];
  const keep = (chunk: unknown) => {
    chunks.push(String(chunk));
    return true;
  };
  const spies = [
    vi.spyOn(process.stdout, 'write').mockImplementation(keep),
    vi.spyOn(process.stderr, 'write').mockImplementation(keep),
  ];
  return {
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    restore: () => {
      for (const spy of spies) spy.mockRestore();
    },
  };
}

let restore: (() => void) | undefined;
afterEach(() => restore?.());

describe('powertools', () => {
  it('one line gives per-outcome EMF metrics and structured logs with the message ID and key', async () => {
    const out = captureStdout();
    restore = out.restore;
    const metrics = new Metrics({ namespace: 'orders', serviceName: 'charge' });
    const logger = new Logger({ serviceName: 'charge', logLevel: 'DEBUG' });
    const handler = createSqsHandler({
      store: new MemoryStore(),
      namespace: 'charge',
      handler: (record) => {
        if (record.body === 'bad') throw new RangeError('card declined');
      },
      ...powertools({ metrics, logger }),
    });
    const context = createLambdaContext({ functionName: 'charge' });
    await handler(records('a', 'bad'), context);
    await handler(records('a'), context);
    metrics.publishStoredMetrics();
    const lines = out.lines();

    const emf = lines.filter((line) => '_aws' in line);
    const stored = emf.find((line) => POWERTOOLS_METRICS.processed in line);
    expect(stored).toMatchObject({
      service: 'charge',
      [POWERTOOLS_METRICS.processed]: 1,
      [POWERTOOLS_METRICS.duplicate]: 1,
      [POWERTOOLS_METRICS.failed]: 1,
      _aws: {
        CloudWatchMetrics: [
          {
            Namespace: 'orders',
            Dimensions: [['service']],
            Metrics: expect.arrayContaining([
              { Name: 'OncelyProcessed', Unit: 'Count' },
              { Name: 'OncelyDuplicate', Unit: 'Count' },
              { Name: 'OncelyFailed', Unit: 'Count' },
            ]),
          },
        ],
      },
    });
    // Each failure also goes out on its own, split by its type.
    const byType = emf.find((line) => line.errorType !== undefined);
    expect(byType).toMatchObject({
      errorType: 'RangeError',
      [POWERTOOLS_METRICS.failed]: 1,
      _aws: { CloudWatchMetrics: [{ Dimensions: [['service', 'errorType']] }] },
    });

    const logs = lines.filter((line) => !('_aws' in line));
    expect(logs).toContainEqual(
      expect.objectContaining({
        level: 'ERROR',
        message: 'oncely: SQS message bad failed (RangeError); left on the queue',
        messageId: 'bad',
        key: 'bad',
        service: 'charge',
      }),
    );
    expect(logs).toContainEqual(
      expect.objectContaining({
        level: 'DEBUG',
        message: 'oncely: message duplicate',
        messageId: 'a',
        key: 'a',
        namespace: 'charge',
      }),
    );
  });

  it('counts takeovers, lost leases and store errors from the events', () => {
    const added: string[] = [];
    const metrics = {
      addMetric: (name: string) => added.push(name),
      singleMetric: () => ({ addDimension: () => {}, addMetric: () => {} }),
    };
    const { telemetry } = powertools({ metrics });
    const base = { namespace: 'n', key: 'k', storeKey: 'n#k', at: 0 };
    telemetry.event?.({ ...base, type: 'claimed', takeover: true, durationMs: 0 });
    telemetry.event?.({ ...base, type: 'claimed', takeover: false, durationMs: 0 });
    telemetry.event?.({
      ...base,
      type: 'lease_lost',
      operation: 'complete',
      effectMayRepeat: true,
    });
    telemetry.event?.({ ...base, type: 'store_error', operation: 'claim', error: new Error('x') });
    expect(added).toEqual(['OncelyTakeover', 'OncelyLeaseLost', 'OncelyStoreError']);
  });

  it('combines with other telemetry: every hook reaches each', async () => {
    const added: string[] = [];
    const seen: string[] = [];
    const metrics = {
      addMetric: (name: string) => added.push(name),
      singleMetric: () => ({ addDimension: () => {}, addMetric: () => {} }),
    };
    const handler = createSqsHandler({
      store: new MemoryStore(),
      namespace: 'both',
      handler: () => {},
      telemetry: combineTelemetry(powertools({ metrics }).telemetry, {
        message: () => ({ with: (fn) => fn(), end: (outcome) => seen.push(outcome.status) }),
        handler: (_, fn) => {
          seen.push('handler');
          return fn();
        },
      }),
    });
    await handler(records('x'), createLambdaContext());
    expect(added).toEqual(['OncelyProcessed']);
    expect(seen).toEqual(['handler', 'processed']);
  });
});
