import { quickStart, runTypeScript } from '@oncely/test-support/readme';
import { expect, it } from 'vitest';

it('runs the README quick start as written, with the output it shows', async () => {
  const { code, output } = await quickStart(new URL('../README.md', import.meta.url));
  expect(output).toBeDefined();
  const stdout = await runTypeScript(code, { name: 'webhook-quick-start' });
  expect(stdout).toBe(output);
  // The example runs as its own tsx process: seconds on a loaded machine, past vitest's 5 s default.
}, 60_000);
