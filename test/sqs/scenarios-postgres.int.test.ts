/**
 * The SQS forms scenario suite on ElasticMQ, with PostgreSQL as the store: every form
 * (Lambda handler, middy, Powertools, sqs-consumer worker) through the same scenarios,
 * in a schema of this run's own, dropped at the end.
 */
import { describeSqsScenarios } from '@oncely/sqs/testing/scenarios';
import { describeWithServers, sqsClient } from '@oncely/test-support/servers';
import { postgresSuiteStore } from '@oncely/test-support/suite-stores';

describeWithServers('SQS forms on ElasticMQ', () => {
  describeSqsScenarios('PostgresStore', {
    ...postgresSuiteStore('sqs_scenarios'),
    sqs: () => sqsClient(),
  });
});
