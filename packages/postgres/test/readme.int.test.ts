import { randomUUID } from 'node:crypto';
import { exampleUnder, quickStart, runTypeScript } from '@oncely/test-support/readme';
import { describeWithServers, postgresUrl } from '@oncely/test-support/servers';
import type pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { testPool } from './support.js';

const README = new URL('../README.md', import.meta.url);

// The README's programs, run as written. Their unqualified tables land in a schema of
// this run's own: node-postgres reads PGOPTIONS, which sets the search_path.
describeWithServers('the README examples', () => {
  const schema = `oncely_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const env = { POSTGRES_URL: postgresUrl(), PGOPTIONS: `-c search_path=${schema}` };
  let pool: pg.Pool;
  beforeAll(async () => {
    pool = testPool();
    await pool.query(`CREATE SCHEMA "${schema}"`);
  });
  afterAll(async () => {
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await pool.end();
  });

  it('the quick start runs as written and charges once for three deliveries', async () => {
    const { code } = await quickStart(README);
    const stdout = await runTypeScript(code, { name: 'postgres-quick-start', env });
    expect(stdout).toMatch(/delivery 1: processed/);
    expect(stdout).toMatch(/delivery 2: duplicate \{ chargeId: 'ch_\w+', amount: 4200 \}/);
    expect(stdout).toMatch(/delivery 3: duplicate/);
    expect(stdout).toMatch(/charged 1 time\(s\)/);
    const { rows } = await pool.query(`SELECT status FROM "${schema}".oncely_quickstart`);
    expect(rows).toEqual([{ status: 'COMPLETED' }]);
  });

  it('the transactional example books once and replays the result to the redelivery', async () => {
    const code = await exampleUnder(README, '## Transactional mode');
    const stdout = await runTypeScript(code, { name: 'postgres-transactional', env });
    expect(stdout).toMatch(/delivery 1: processed \{ booked: 4200 \}/);
    expect(stdout).toMatch(/delivery 2: duplicate \{ booked: 4200 \}/);
    expect(stdout).toMatch(/ledger entries: 1/);
    const { rows } = await pool.query(
      `SELECT balance FROM "${schema}".accounts WHERE id = 'acct-1'`,
    );
    expect(rows).toEqual([{ balance: 10000 - 4200 }]);
  });
});
