/** The README's @platformatic/kafka example, run as written. Collected on Node 22+ only (vitest.config.ts). */
import { readFile } from 'node:fs/promises';
import { exampleUnder, runTypeScript } from '@oncely/test-support/readme';
import { describeWithServers, kafkaBrokers } from '@oncely/test-support/servers';
import { expect, it } from 'vitest';

describeWithServers('the README @platformatic/kafka example', () => {
  it('runs as written against the broker, with the output it shows', async () => {
    const readme = new URL('../README.md', import.meta.url);
    const code = await exampleUnder(readme, '## @platformatic/kafka');
    // The plain block right after the example is the output it shows.
    const text = await readFile(readme, 'utf8');
    const output = /^\s*```\n([\s\S]*?)```/.exec(text.slice(text.indexOf(code) + code.length + 3));
    expect(output?.[1]).toBeDefined();
    const stdout = await runTypeScript(code, {
      name: 'kafka-platformatic',
      under: 'packages/kafka',
      env: { KAFKA_BROKERS: kafkaBrokers().join(',') },
    });
    expect(stdout).toBe(output?.[1]);
  });
});
