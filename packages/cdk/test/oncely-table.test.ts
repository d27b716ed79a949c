import { readFile } from 'node:fs/promises';
import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  OncelyTable,
  type OncelyTableProps,
  OPERATOR_ACTIONS,
  STORE_ACTIONS,
  TABLE_NAME_VARIABLE,
} from '../src/index.js';

/** A stack with one OncelyTable and one function it is granted to. */
function synth(props?: OncelyTableProps) {
  const stack = new Stack(new App(), 'Test');
  const dedup = new OncelyTable(stack, 'Dedup', props);
  const fn = new lambda.Function(stack, 'Fn', {
    runtime: lambda.Runtime.NODEJS_20_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => {};'),
    environment: { ...dedup.environment },
  });
  dedup.grantStore(fn);
  const template = Template.fromStack(stack);
  const tableId = stack.getLogicalId(dedup.table.node.defaultChild as never);
  return { stack, dedup, fn, template, tableId };
}

/** The properties of the only AWS::DynamoDB::Table in a template. */
function tableOf(template: Template): Record<string, unknown> {
  const tables = Object.values(template.findResources('AWS::DynamoDB::Table'));
  expect(tables).toHaveLength(1);
  return tables[0]?.Properties as Record<string, unknown>;
}

/** What the three declarations must agree on. */
function shapeOf(properties: Record<string, unknown>) {
  const {
    AttributeDefinitions,
    KeySchema,
    BillingMode,
    TimeToLiveSpecification,
    PointInTimeRecoverySpecification,
  } = properties;
  return {
    AttributeDefinitions,
    KeySchema,
    BillingMode,
    TimeToLiveSpecification,
    PointInTimeRecoverySpecification,
  };
}

// Loading aws-cdk-lib's modules and the first synthesis take seconds: once, before the tests.
beforeAll(() => {
  synth();
}, 60_000);

describe('OncelyTable', { timeout: 30_000 }, () => {
  it("declares the store's table: pk, TTL on expiresAt, on-demand, point-in-time recovery, retained", () => {
    const { template } = synth();
    template.hasResource('AWS::DynamoDB::Table', {
      Properties: {
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  it('takes a name, a removal policy, other attribute names, a sort key, and PITR off', () => {
    const { template } = synth({
      tableName: 'app',
      removalPolicy: RemovalPolicy.DESTROY,
      partitionKey: 'PK',
      sortKey: 'SK',
      timeToLiveAttribute: 'ttl',
      pointInTimeRecovery: false,
    });
    template.hasResource('AWS::DynamoDB::Table', {
      Properties: {
        TableName: 'app',
        KeySchema: [
          { AttributeName: 'PK', KeyType: 'HASH' },
          { AttributeName: 'SK', KeyType: 'RANGE' },
        ],
        TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: false },
      },
      DeletionPolicy: 'Delete',
    });
  });

  it('grantStore gives exactly the store actions, on the table only', () => {
    const { template, tableId } = synth();
    const policies = Object.values(template.findResources('AWS::IAM::Policy'));
    expect(policies).toHaveLength(1);
    const properties = policies[0]?.Properties as
      | { PolicyDocument: { Statement: Record<string, unknown>[] } }
      | undefined;
    const statements = properties?.PolicyDocument.Statement ?? [];
    expect(statements).toHaveLength(1);
    const statement = statements[0] ?? {};
    expect(statement.Effect).toBe('Allow');
    expect([...(statement.Action as string[])].sort()).toEqual([...STORE_ACTIONS].sort());
    const resources = [statement.Resource]
      .flat()
      .filter((r) => JSON.stringify(r) !== '{"Ref":"AWS::NoValue"}');
    expect(resources).toEqual([{ 'Fn::GetAtt': [tableId, 'Arn'] }]);
  });

  it('the store actions are the DynamoDB README least-privilege policy, and include no Scan', async () => {
    const readme = await readFile(new URL('../../dynamodb/README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('## Least-privilege IAM policy'));
    const policy = JSON.parse(/```json\n([\s\S]*?)```/.exec(section)?.[1] ?? '{}');
    expect([...policy.Statement[0].Action].sort()).toEqual([...STORE_ACTIONS].sort());
    expect(STORE_ACTIONS).not.toContain('dynamodb:Scan');
  });

  it('environment names the table for the function as ONCELY_TABLE', () => {
    const { template, tableId } = synth();
    expect(TABLE_NAME_VARIABLE).toBe('ONCELY_TABLE');
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: { ONCELY_TABLE: { Ref: tableId } } },
    });
  });

  it("grantOperator gives the CLI's reads and delete, with Scan", () => {
    const stack = new Stack(new App(), 'Ops');
    const dedup = new OncelyTable(stack, 'Dedup');
    dedup.grantOperator(
      new iam.Role(stack, 'OnCall', { assumedBy: new iam.AccountRootPrincipal() }),
    );
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [Match.objectLike({ Action: [...OPERATOR_ACTIONS] })],
      },
    });
  });
});

describe('the other declarations of the table', { timeout: 30_000 }, () => {
  const construct = () => shapeOf(tableOf(synth().template));

  it('the example SAM template declares the same table as the construct', async () => {
    const template = parse(
      await readFile(
        new URL('../../../examples/lambda-sqs/template.yaml', import.meta.url),
        'utf8',
      ),
      { logLevel: 'silent' },
    );
    expect(shapeOf(template.Resources.DedupTable.Properties)).toEqual(construct());
  });

  it("the DynamoDB README's CloudFormation snippet declares the same table as the construct", async () => {
    const readme = await readFile(new URL('../../dynamodb/README.md', import.meta.url), 'utf8');
    const snippet = /```yaml\n([\s\S]*?)```/.exec(
      readme.slice(readme.indexOf('## Creating the table')),
    )?.[1];
    const template = parse(snippet ?? '', { logLevel: 'silent' });
    expect(shapeOf(template.Resources.OncelyTable.Properties)).toEqual(construct());
  });
});
