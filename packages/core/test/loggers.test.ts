import { createDeduper, MemoryStore, pinoLogger, StoreError } from '@oncely/core';
import {
  type CapturedLogger,
  captureConsole,
  capturePino,
  capturePowertools,
  jsonLines,
} from '@oncely/test-support/loggers';
import { afterEach, describe, expect, it, vi } from 'vitest';

/** A store whose claims fail, so the engine logs `store claim failed` with its context. */
class FailingStore extends MemoryStore {
  override async claim(): Promise<never> {
    throw new Error('disk on fire');
  }
}

let captured: CapturedLogger | undefined;
afterEach(() => {
  captured?.restore();
  captured = undefined;
});

async function failClaim(logger: CapturedLogger): Promise<string> {
  captured = logger;
  const deduper = createDeduper({
    store: new FailingStore(),
    namespace: 'payments',
    logger: logger.logger,
  });
  await expect(deduper.run('order-42', () => 'charged')).rejects.toBeInstanceOf(StoreError);
  return logger.output();
}

describe('the logger receives the context of a store failure', () => {
  it('console, as is: the message, key, store key and error', async () => {
    const output = await failClaim(captureConsole());
    expect(output).toContain('oncely: store claim failed');
    expect(output).toContain("key: 'order-42'");
    expect(output).toContain("storeKey: 'payments#order-42'");
    expect(output).toContain('disk on fire');
  });

  it('pino, through pinoLogger: the fields and the error reach its JSON', async () => {
    const [line] = jsonLines(await failClaim(capturePino()));
    expect(line).toMatchObject({
      level: 50,
      msg: 'oncely: store claim failed',
      key: 'order-42',
      storeKey: 'payments#order-42',
      err: { type: 'StoreError', message: expect.stringContaining('claim') },
    });
    // pino's error serializer keeps the cause chain, down to the store's own error.
    expect(JSON.stringify(line)).toContain('disk on fire');
  });

  it('Powertools Logger, as is: the fields and the error reach its JSON', async () => {
    const [line] = jsonLines(await failClaim(capturePowertools()));
    expect(line).toMatchObject({
      level: 'ERROR',
      message: 'oncely: store claim failed',
      service: 'oncely-test',
      key: 'order-42',
      storeKey: 'payments#order-42',
      error: { name: 'StoreError', message: expect.stringContaining('claim') },
    });
    expect(JSON.stringify(line)).toContain('disk on fire');
  });
});

describe('pinoLogger', () => {
  it('is needed: pino given directly type-checks but drops the context', async () => {
    const [line] = jsonLines(await failClaim(capturePino({ adapted: false })));
    expect(line).toMatchObject({ msg: 'oncely: store claim failed' });
    expect(line).not.toHaveProperty('key');
    expect(line).not.toHaveProperty('err');
  });

  it('passes the object first and the message second, at the same level', () => {
    const pino = { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() };
    const logger = pinoLogger(pino);
    const error = new Error('x');
    logger.warn('lease lost', { key: 'k', error });
    logger.info('plain', {});
    expect(pino.warn).toHaveBeenCalledWith({ key: 'k', err: error }, 'lease lost');
    expect(pino.info).toHaveBeenCalledWith({}, 'plain');
  });
});
