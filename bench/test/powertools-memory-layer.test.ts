import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { describe, expect, it } from 'vitest';
import { lambdaContext } from '../src/contenders/lambda-context.js';
import { MapPersistenceLayer } from '../src/contenders/powertools-memory-layer.js';

function setup() {
  const layer = new MapPersistenceLayer();
  const config = new IdempotencyConfig({ eventKeyJmesPath: 'id' });
  config.registerLambdaContext(lambdaContext());
  let runs = 0;
  const processOnce = makeIdempotent(
    async (message: { id: string; amount: number }) => {
      runs++;
      if (message.amount < 0) throw new Error('refused');
      return message.amount * 2;
    },
    { persistenceStore: layer, config },
  );
  return { layer, processOnce, runs: () => runs };
}

describe('MapPersistenceLayer under makeIdempotent', () => {
  it('runs a key once and replays its result to duplicates', async () => {
    const { processOnce, runs, layer } = setup();
    expect(await processOnce({ id: 'a', amount: 2 })).toBe(4);
    expect(await processOnce({ id: 'a', amount: 2 })).toBe(4);
    expect(await processOnce({ id: 'b', amount: 3 })).toBe(6);
    expect(runs()).toBe(2);
    expect(layer.records.size).toBe(2);
  });

  it('deletes the record when the handler throws, so a retry runs again', async () => {
    const { processOnce, runs, layer } = setup();
    await expect(processOnce({ id: 'a', amount: -1 })).rejects.toThrow('refused');
    expect(layer.records.size).toBe(0);
    await expect(processOnce({ id: 'a', amount: -1 })).rejects.toThrow('refused');
    expect(runs()).toBe(2);
  });

  it('refuses a concurrent copy while the first is in progress', async () => {
    const { processOnce, runs } = setup();
    const results = await Promise.allSettled([
      processOnce({ id: 'a', amount: 1 }),
      processOnce({ id: 'a', amount: 1 }),
    ]);
    expect(results.map((result) => result.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(runs()).toBe(1);
  });
});
