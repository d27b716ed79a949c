import { exampleUnder, runTypeScript } from '@oncely/test-support/readme';
import { expect, it } from 'vitest';

const readme = new URL('../README.md', import.meta.url);
// Each example runs as its own tsx process: seconds on a loaded machine, past vitest's 5 s default.
const EXAMPLE_TIMEOUT_MS = 60_000;

it(
  'the OpenTelemetry example prints the spans it shows',
  async () => {
    const code = await exampleUnder(readme, '## OpenTelemetry');
    const text = await import('node:fs/promises').then((fs) => fs.readFile(readme, 'utf8'));
    const shown = /```ts\n[\s\S]*?```\s*```\n([\s\S]*?)```/.exec(
      text.slice(text.indexOf('\n## OpenTelemetry')),
    )?.[1];
    const stdout = await runTypeScript(code, {
      name: 'telemetry-opentelemetry',
      under: 'packages/telemetry',
    });
    expect(stdout.split('\n').sort()).toEqual((shown ?? '').split('\n').sort());
  },
  EXAMPLE_TIMEOUT_MS,
);

it(
  'the Powertools example prints the EMF metrics it shows',
  async () => {
    const code = await exampleUnder(readme, '## Powertools');
    const stdout = await runTypeScript(code, {
      name: 'telemetry-powertools',
      under: 'packages/telemetry',
    });
    const lines = stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    // The ERROR log line goes to stderr (Powertools' Logger writes errors there); the
    // bridge's logs are checked in powertools.test.ts.
    expect(lines).toContainEqual(
      expect.objectContaining({ OncelyProcessed: 1, OncelyFailed: 1, service: 'charge' }),
    );
    expect(lines).toContainEqual(expect.objectContaining({ errorType: 'Error', OncelyFailed: 1 }));
  },
  EXAMPLE_TIMEOUT_MS,
);
