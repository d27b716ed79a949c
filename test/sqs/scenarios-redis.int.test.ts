/**
 * The SQS forms scenario suite on ElasticMQ, with Redis as the store: every form (Lambda
 * handler, middy, Powertools, sqs-consumer worker) through the same scenarios, under a key
 * prefix of this run's own, deleted at the end.
 */
import { describeSqsScenarios } from '@oncely/sqs/testing/scenarios';
import { describeWithServers, sqsClient } from '@oncely/test-support/servers';
import { redisSuiteStore } from '@oncely/test-support/suite-stores';

describeWithServers('SQS forms on ElasticMQ', () => {
  describeSqsScenarios('RedisStore', { ...redisSuiteStore(), sqs: () => sqsClient() });
});
