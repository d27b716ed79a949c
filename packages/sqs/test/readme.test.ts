import { quickStart, runTypeScript } from '@oncely/test-support/readme';
import { expect, it } from 'vitest';

it('runs the README quick start as written: one charge for two deliveries, the refund failed alone', async () => {
  const { code } = await quickStart(new URL('../README.md', import.meta.url));
  const stdout = await runTypeScript(code, { name: 'sqs-quick-start' });
  expect(stdout.split('\n').filter(Boolean)).toEqual([
    "{ batchItemFailures: [ { itemIdentifier: 'm-2' } ] }",
    '{ batchItemFailures: [] }',
    'charged 1 time(s)',
  ]);
  // The example runs as its own tsx process: seconds on a loaded machine, past vitest's 5 s default.
}, 60_000);
