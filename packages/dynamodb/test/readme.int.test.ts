import { quickStart, runTypeScript } from '@oncely/test-support/readme';
import { describeWithServers, dynamodbEndpoint } from '@oncely/test-support/servers';
import { expect, it } from 'vitest';

describeWithServers('the README quick start', () => {
  it('runs as written and charges once for three deliveries', async () => {
    const { code } = await quickStart(new URL('../README.md', import.meta.url));
    const stdout = await runTypeScript(code, {
      name: 'quick-start',
      env: { DYNAMODB_ENDPOINT: dynamodbEndpoint() },
    });
    expect(stdout).toMatch(/delivery 1: processed/);
    expect(stdout).toMatch(/delivery 2: duplicate \{ chargeId: 'ch_\w+', amount: 4200 \}/);
    expect(stdout).toMatch(/delivery 3: duplicate/);
    expect(stdout).toMatch(/charged 1 time\(s\)/);
  });
});
