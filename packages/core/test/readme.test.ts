import { exampleUnder, runTypeScript } from '@oncely/test-support/readme';
import { expect, it } from 'vitest';

it('runs the README example as written: processed, then the stored result as a duplicate', async () => {
  const code = await exampleUnder(new URL('../README.md', import.meta.url), '## Example');
  const stdout = await runTypeScript(code, { name: 'core-example' });
  expect(stdout).toMatch(/^\{\s+status: 'processed',[\s\S]*result: \{ chargeId: 'ch_evt_1' \}/);
  expect(stdout).toMatch(/\}\n\{\s+status: 'duplicate',[\s\S]*result: \{ chargeId: 'ch_evt_1' \}/);
  // The example runs as its own tsx process: seconds on a loaded machine, past vitest's 5 s default.
}, 60_000);
