/** The Kafka consumer-group scenarios on a real broker, with PostgreSQL as the store. */
import { freshPostgresSchema, type PostgresSchema } from '@oncely/test-support/postgres';
import { describeWithServers } from '@oncely/test-support/servers';
import { describeKafkaScenarios } from './scenarios.js';

describeWithServers('@oncely/kafka on a real broker', () => {
  let schema: PostgresSchema | undefined;
  describeKafkaScenarios('PostgresStore', {
    store: async () => {
      schema = await freshPostgresSchema('kafka_scenarios');
      return schema.store;
    },
    teardown: () => schema?.drop(),
  });
});
