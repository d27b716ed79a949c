/** The Kafka consumer-group scenarios on a real broker, with DynamoDB Local as the store. */
import { DynamoDBStore } from '@oncely/dynamodb';
import { describeWithServers, dynamoClient } from '@oncely/test-support/servers';
import { freshTable } from '@oncely/test-support/tables';
import { describeKafkaScenarios } from './scenarios.js';

describeWithServers('@oncely/kafka on a real broker', () => {
  let drop: (() => Promise<void>) | undefined;
  describeKafkaScenarios('DynamoDBStore', {
    store: async () => {
      const client = dynamoClient();
      const table = await freshTable(client, 'kafka-scenarios');
      drop = async () => {
        await table.drop();
        client.destroy();
      };
      return new DynamoDBStore({ client, tableName: table.tableName });
    },
    teardown: () => drop?.(),
  });
});
