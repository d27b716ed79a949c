/**
 * The Kafka consumer-group scenarios on a real broker with @platformatic/kafka members, on
 * the in-memory store and on DynamoDB Local. Collected on Node 22+ only (vitest.config.ts).
 */
import { MemoryStore } from '@oncely/core';
import { platformaticDriver } from '@oncely/test-support/kafka-clients/platformatic';
import { describeWithServers } from '@oncely/test-support/servers';
import { dynamodbSuiteStore } from '@oncely/test-support/suite-stores';
import { describeKafkaScenarios } from './scenarios.js';

describeWithServers('@oncely/kafka/platformatic on a real broker', () => {
  describeKafkaScenarios('platformatic, MemoryStore', {
    store: () => new MemoryStore(),
    client: platformaticDriver,
  });
  describeKafkaScenarios('platformatic, DynamoDBStore', {
    ...dynamodbSuiteStore('kafka-platformatic-scenarios'),
    client: platformaticDriver,
  });
});
