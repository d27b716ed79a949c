import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { quickStart, runTypeScript } from '@oncely/test-support/readme';
import { expect, it } from 'vitest';
import { STORE_ACTIONS } from '../src/index.js';

/** The parts of a synthesized resource the test reads. */
interface Resource {
  readonly Type: string;
  readonly Properties: {
    readonly Environment?: { readonly Variables: Record<string, unknown> };
    readonly PolicyDocument?: { readonly Statement: { readonly Action: string[] }[] };
  } & Record<string, unknown>;
}

it('the README quick start synthesizes a table and a function granted the store actions', async () => {
  const { code } = await quickStart(new URL('../README.md', import.meta.url));
  const outdir = await mkdtemp(join(tmpdir(), 'oncely-cdk-'));
  try {
    await runTypeScript(code, {
      name: 'cdk-quick-start',
      under: 'packages/cdk',
      env: { CDK_OUTDIR: outdir },
    });
    const template = JSON.parse(await readFile(join(outdir, 'Payments.template.json'), 'utf8'));
    const resources = Object.values(template.Resources) as Resource[];
    const table = resources.find((resource) => resource.Type === 'AWS::DynamoDB::Table');
    expect(table?.Properties).toMatchObject({
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
    const fn = resources.find((resource) => resource.Type === 'AWS::Lambda::Function');
    expect(Object.keys(fn?.Properties.Environment?.Variables ?? {})).toEqual(['ONCELY_TABLE']);
    const policy = resources.find((resource) => resource.Type === 'AWS::IAM::Policy');
    expect([...(policy?.Properties.PolicyDocument?.Statement[0]?.Action ?? [])].sort()).toEqual(
      [...STORE_ACTIONS].sort(),
    );
  } finally {
    await rm(outdir, { recursive: true, force: true });
  }
}, 120_000);
