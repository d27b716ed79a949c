/**
 * The SQS forms scenario suite on ElasticMQ, with DynamoDB Local as the store: every form
 * (Lambda handler, middy, Powertools, sqs-consumer worker) through the same scenarios.
 */
import { DynamoDBStore } from '@oncely/dynamodb';
import { describeSqsScenarios } from '@oncely/sqs/testing/scenarios';
import { describeWithServers, dynamoClient, sqsClient } from '@oncely/test-support/servers';
import { freshTable } from '@oncely/test-support/tables';

describeWithServers('SQS forms on ElasticMQ', () => {
  const client = () => dynamoClient();
  let drop: (() => Promise<void>) | undefined;
  describeSqsScenarios('DynamoDBStore', {
    store: async () => {
      const made = client();
      const table = await freshTable(made, 'sqs-scenarios');
      drop = async () => {
        await table.drop();
        made.destroy();
      };
      return new DynamoDBStore({ client: made, tableName: table.tableName });
    },
    teardown: () => drop?.(),
    sqs: () => sqsClient(),
  });
});
