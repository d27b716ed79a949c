/**
 * `@oncely/core/adapter`: the kit for adapter and store authors. oncely's own adapters
 * (SQS, Kafka, webhook) and stores (DynamoDB, PostgreSQL, Redis) use it, so an option is
 * checked, a store failure wrapped and a body field read the same way everywhere. An
 * application does not need it.
 *
 * @example
 * import { checkObject, positiveInteger, toStoreError } from '@oncely/core/adapter';
 */

export {
  checkDeduperOptions,
  type DeduperOptionsWithoutNamespace,
  type DeduperSettings,
} from './deduper-options.js';
export { describeValue } from './describe-value.js';
export { type FailureLevel, failureLevel } from './failure-level.js';
export { type FieldPath, parseFieldPath, readFieldPath } from './field-path.js';
export {
  fieldKeyText,
  type KeyOptionForm,
  type KeyOptionShape,
  parseKeyOption,
} from './key-option.js';
export {
  checkObject,
  nonEmptyString,
  oneOf,
  optionalBoolean,
  optionalFunction,
  positiveDuration,
  positiveInteger,
  requireFunction,
} from './option-checks.js';
export { isRetryableNetworkError, type StoreFaultContext, toStoreError } from './store-errors.js';
