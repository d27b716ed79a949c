/**
 * `@oncely/cdk`: oncely's DynamoDB dedup table as an AWS CDK construct.
 *
 * @example
 * import { OncelyTable } from '@oncely/cdk';
 *
 * const dedup = new OncelyTable(stack, 'Dedup');
 * dedup.grantStore(fn);
 */
export {
  OncelyTable,
  type OncelyTableProps,
  OPERATOR_ACTIONS,
  STORE_ACTIONS,
  TABLE_NAME_VARIABLE,
} from './oncely-table.js';
