import { createDeduper, MemoryStore, pinoLogger } from '@oncely/core';
import {
  type CapturedLogger,
  captureConsole,
  capturePino,
  capturePowertools,
  jsonLines,
} from '@oncely/test-support/loggers';
import { afterEach, describe, expect, it, vi } from 'vitest';

/**
 * A store whose releases fail. After a handler error the engine swallows the failed release
 * (the claim expires with its lease; the handler's error is what the caller gets) and logs
 * it at debug, with its context.
 */
class FailingStore extends MemoryStore {
  override async release(): Promise<never> {
    throw new Error('disk on fire');
  }
}

let captured: CapturedLogger | undefined;
afterEach(() => {
  captured?.restore();
  captured = undefined;
});

async function failRelease(logger: CapturedLogger): Promise<string> {
  captured = logger;
  const deduper = createDeduper({
    store: new FailingStore(),
    namespace: 'payments',
    logger: logger.logger,
  });
  const declined = new Error('card declined');
  await expect(
    deduper.run('order-42', () => {
      throw declined;
    }),
  ).rejects.toBe(declined);
  return logger.output();
}

const RELEASE_FAILED = 'oncely: releasing the claim failed; it expires with its lease';

describe('the logger receives the context of a swallowed store failure', () => {
  it('console, as is: the message, key, store key and error', async () => {
    const output = await failRelease(captureConsole());
    expect(output).toContain(RELEASE_FAILED);
    expect(output).toContain("key: 'order-42'");
    expect(output).toContain("storeKey: 'payments#order-42'");
    expect(output).toContain('disk on fire');
  });

  it('pino, through pinoLogger: the fields and the error reach its JSON', async () => {
    const [line] = jsonLines(await failRelease(capturePino()));
    expect(line).toMatchObject({
      level: 20,
      msg: RELEASE_FAILED,
      key: 'order-42',
      storeKey: 'payments#order-42',
      err: { type: 'StoreError', message: expect.stringContaining('release') },
    });
    // pino's error serializer keeps the cause chain, down to the store's own error.
    expect(JSON.stringify(line)).toContain('disk on fire');
  });

  it('Powertools Logger, as is: the fields and the error reach its JSON', async () => {
    const [line] = jsonLines(await failRelease(capturePowertools()));
    expect(line).toMatchObject({
      level: 'DEBUG',
      message: RELEASE_FAILED,
      service: 'oncely-test',
      key: 'order-42',
      storeKey: 'payments#order-42',
      error: { name: 'StoreError', message: expect.stringContaining('release') },
    });
    expect(JSON.stringify(line)).toContain('disk on fire');
  });
});

describe('pinoLogger', () => {
  it('is needed: pino given directly type-checks but drops the context', async () => {
    const [line] = jsonLines(await failRelease(capturePino({ adapted: false })));
    expect(line).toMatchObject({ msg: RELEASE_FAILED });
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
