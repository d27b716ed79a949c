/** The Kafka consumer-group scenarios on a real broker, with PostgreSQL as the store. */
import { describeWithServers } from '@oncely/test-support/servers';
import { postgresSuiteStore } from '@oncely/test-support/suite-stores';
import { describeKafkaScenarios } from './scenarios.js';

describeWithServers('@oncely/kafka on a real broker', () => {
  describeKafkaScenarios('PostgresStore', postgresSuiteStore('kafka_scenarios'));
});
