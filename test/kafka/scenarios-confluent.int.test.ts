/**
 * The Kafka consumer-group scenarios on a real broker with the members on
 * `@confluentinc/kafka-javascript`'s KafkaJS API (`@oncely/kafka/confluent`), on the
 * in-memory store and on DynamoDB Local. Collected only where the client's native addon
 * was built for the running Node (see `vitest.config.ts`).
 */
import { MemoryStore } from '@oncely/core';
import { confluentDriver } from '@oncely/test-support/kafka-clients/confluent';
import { describeWithServers } from '@oncely/test-support/servers';
import { dynamodbSuiteStore } from '@oncely/test-support/suite-stores';
import { describeKafkaScenarios } from './scenarios.js';

describeWithServers('@oncely/kafka/confluent on a real broker', () => {
  describeKafkaScenarios('confluent, MemoryStore', {
    store: () => new MemoryStore(),
    client: confluentDriver,
  });
  describeKafkaScenarios('confluent, DynamoDBStore', {
    ...dynamodbSuiteStore('kafka-scenarios-confluent'),
    client: confluentDriver,
  });
});
