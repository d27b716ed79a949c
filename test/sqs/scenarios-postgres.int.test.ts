/**
 * The SQS forms scenario suite on ElasticMQ, with PostgreSQL as the store: every form
 * (Lambda handler, middy, Powertools, sqs-consumer worker) through the same scenarios,
 * in a schema of this run's own, dropped at the end.
 */

import { describeSqsScenarios } from '@oncely/sqs/testing/scenarios';
import { freshPostgresSchema, type PostgresSchema } from '@oncely/test-support/postgres';
import { describeWithServers, sqsClient } from '@oncely/test-support/servers';

describeWithServers('SQS forms on ElasticMQ', () => {
  let schema: PostgresSchema | undefined;
  describeSqsScenarios('PostgresStore', {
    store: async () => {
      schema = await freshPostgresSchema('sqs_scenarios');
      return schema.store;
    },
    teardown: () => schema?.drop(),
    sqs: () => sqsClient(),
  });
});
