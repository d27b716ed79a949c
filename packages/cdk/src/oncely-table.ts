import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

/**
 * The item actions `DynamoDBStore` sends on its table, and nothing else: single claims,
 * completions, releases and lease extensions (`PutItem`, `UpdateItem`, `DeleteItem`),
 * operators' reads (`GetItem`), and batches (`BatchExecuteStatement` of PartiQL `INSERT`,
 * `UPDATE`, `DELETE`, which IAM checks per statement). Transactional mode needs nothing more
 * on this table: `TransactWriteItems` is checked per action (the record is a `PutItem`).
 *
 * @example
 * STORE_ACTIONS.includes('dynamodb:PutItem'); // true
 */
export const STORE_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:PartiQLInsert',
  'dynamodb:PartiQLUpdate',
  'dynamodb:PartiQLDelete',
] as const;

/**
 * What the `oncely` operator CLI needs on the table for `inspect`, `release`, `list` and
 * `stats`: operators' roles, never a function's.
 *
 * @example
 * table.grantOperator(new iam.Role(this, 'OnCall', { assumedBy: new iam.AccountRootPrincipal() }));
 */
export const OPERATOR_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:DeleteItem',
  'dynamodb:Scan',
] as const;

/**
 * The environment variable {@link OncelyTable.environment} sets to the table's name, for the
 * function to read: `new DynamoDBStore({ tableName: process.env.ONCELY_TABLE! })`.
 */
export const TABLE_NAME_VARIABLE = 'ONCELY_TABLE';

/**
 * Options of {@link OncelyTable}. The defaults match `DynamoDBStore`'s, `createTable` of
 * `@oncely/dynamodb` and the CloudFormation snippet in its README.
 *
 * @example
 * const props: OncelyTableProps = { removalPolicy: RemovalPolicy.DESTROY };
 */
export interface OncelyTableProps {
  /**
   * The physical table name.
   * @default a name CloudFormation generates
   */
  readonly tableName?: string;
  /**
   * The partition-key attribute: the store's `attributes.key`.
   * @default 'pk'
   */
  readonly partitionKey?: string;
  /**
   * A sort-key attribute, for a store with `sortKey: { name, value }` (single-table designs).
   * @default none
   */
  readonly sortKey?: string;
  /**
   * The TTL attribute: the store's `attributes.expiresAt`.
   * @default 'expiresAt'
   */
  readonly timeToLiveAttribute?: string;
  /**
   * Point-in-time recovery (continuous backups).
   * @default true
   */
  readonly pointInTimeRecovery?: boolean;
  /**
   * What happens to the table when it leaves the stack. The records are what stop a
   * redelivered message from running twice, so the default keeps them.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * oncely's DynamoDB dedup table: a string partition key (`pk`), TTL on `expiresAt`,
 * on-demand billing, point-in-time recovery, retained on stack deletion. `grantStore` gives
 * a function exactly the actions `DynamoDBStore` uses; `environment` names the table for it.
 *
 * @example
 * const dedup = new OncelyTable(this, 'Dedup');
 * const fn = new lambda.Function(this, 'Payments', { ..., environment: { ...dedup.environment } });
 * dedup.grantStore(fn);
 */
export class OncelyTable extends Construct {
  /** The underlying table, for anything this construct does not cover. */
  readonly table: dynamodb.Table;
  /** The table's name (a token until deployment). */
  readonly tableName: string;
  readonly tableArn: string;
  /** `{ ONCELY_TABLE: tableName }`: spread it into a function's environment. */
  readonly environment: Readonly<Record<typeof TABLE_NAME_VARIABLE, string>>;

  constructor(scope: Construct, id: string, props: OncelyTableProps = {}) {
    super(scope, id);
    this.table = new dynamodb.Table(this, 'Table', {
      ...(props.tableName === undefined ? {} : { tableName: props.tableName }),
      partitionKey: { name: props.partitionKey ?? 'pk', type: dynamodb.AttributeType.STRING },
      ...(props.sortKey === undefined
        ? {}
        : { sortKey: { name: props.sortKey, type: dynamodb.AttributeType.STRING } }),
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: props.timeToLiveAttribute ?? 'expiresAt',
      pointInTimeRecoverySpecification: {
        pointInTimeRecoveryEnabled: props.pointInTimeRecovery ?? true,
      },
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    this.tableName = this.table.tableName;
    this.tableArn = this.table.tableArn;
    this.environment = { [TABLE_NAME_VARIABLE]: this.tableName };
  }

  /**
   * Lets `grantee` run `DynamoDBStore` on this table: {@link STORE_ACTIONS} on the table's
   * ARN only (no index, no `Scan`, no `DescribeTable`).
   */
  grantStore(grantee: iam.IGrantable): iam.Grant {
    return this.table.grant(grantee, ...STORE_ACTIONS);
  }

  /** Lets `grantee` run the `oncely` CLI's `inspect`, `release`, `list` and `stats`: {@link OPERATOR_ACTIONS}. */
  grantOperator(grantee: iam.IGrantable): iam.Grant {
    return this.table.grant(grantee, ...OPERATOR_ACTIONS);
  }
}
