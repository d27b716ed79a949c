import { quickStart, runTypeScript } from '@oncely/test-support/readme';
import { describeWithServers, kafkaBrokers } from '@oncely/test-support/servers';
import { expect, it } from 'vitest';

describeWithServers('the README quick start', () => {
  it('runs as written against the broker, with the output it shows', async () => {
    const { code, output } = await quickStart(new URL('../README.md', import.meta.url));
    expect(output).toBeDefined();
    const stdout = await runTypeScript(code, {
      name: 'kafka-quick-start',
      env: { KAFKA_BROKERS: kafkaBrokers().join(',') },
    });
    expect(stdout).toBe(output);
  });
});
