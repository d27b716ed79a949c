/**
 * The SQS forms scenario suite on ElasticMQ, with DynamoDB Local as the store: every form
 * (Lambda handler, middy, Powertools, sqs-consumer worker) through the same scenarios.
 */
import { describeSqsScenarios } from '@oncely/sqs/testing/scenarios';
import { describeWithServers, sqsClient } from '@oncely/test-support/servers';
import { dynamodbSuiteStore } from '@oncely/test-support/suite-stores';

describeWithServers('SQS forms on ElasticMQ', () => {
  describeSqsScenarios('DynamoDBStore', {
    ...dynamodbSuiteStore('sqs-scenarios'),
    sqs: () => sqsClient(),
  });
});
