/** The Kafka consumer-group scenarios on a real broker, with DynamoDB Local as the store. */
import { describeWithServers } from '@oncely/test-support/servers';
import { dynamodbSuiteStore } from '@oncely/test-support/suite-stores';
import { describeKafkaScenarios } from './scenarios.js';

describeWithServers('@oncely/kafka on a real broker', () => {
  describeKafkaScenarios('DynamoDBStore', dynamodbSuiteStore('kafka-scenarios'));
});
