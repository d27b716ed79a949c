import { MemoryStore } from '@oncely/core';
import {
  type CapturedLogger,
  captureConsole,
  capturePino,
  capturePowertools,
  jsonLines,
} from '@oncely/test-support/loggers';
import { afterEach, expect, it } from 'vitest';
import { createSqsHandler } from '../src/index.js';
import { event, lambdaContext, record } from './fixtures.js';

let captured: CapturedLogger | undefined;
afterEach(() => {
  captured?.restore();
  captured = undefined;
});

/** One message whose handler fails: the failure is logged with its messageId, key and error. */
async function failOne(logger: CapturedLogger): Promise<string> {
  captured = logger;
  const handler = createSqsHandler({
    store: new MemoryStore(),
    key: { field: 'id' },
    logger: logger.logger,
    handler: () => {
      throw new Error('payment API down');
    },
  });
  await handler(event(record('msg-1', { body: '{"id":"order-42"}' })), lambdaContext());
  return logger.output();
}

it('console, as is: the messageId, key and error reach its output', async () => {
  const output = await failOne(captureConsole());
  expect(output).toContain("messageId: 'msg-1'");
  expect(output).toContain("key: 'order-42'");
  expect(output).toContain('payment API down');
});

it('pino, through pinoLogger: the messageId, key and error reach its JSON', async () => {
  const [line] = jsonLines(await failOne(capturePino()));
  expect(line).toMatchObject({
    level: 50,
    messageId: 'msg-1',
    key: 'order-42',
    err: { type: 'Error', message: 'payment API down' },
  });
});

it("Powertools' Logger, as is: the messageId, key and error reach its JSON", async () => {
  const [line] = jsonLines(await failOne(capturePowertools()));
  expect(line).toMatchObject({
    level: 'ERROR',
    messageId: 'msg-1',
    key: 'order-42',
    error: { name: 'Error', message: 'payment API down' },
  });
});
