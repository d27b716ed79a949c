/** The Kafka consumer-group scenarios on a real broker, with the in-memory store. */
import { MemoryStore } from '@oncely/core';
import { describeWithServers } from '@oncely/test-support/servers';
import { describeKafkaScenarios } from './scenarios.js';

describeWithServers('@oncely/kafka on a real broker', () => {
  describeKafkaScenarios('MemoryStore', { store: () => new MemoryStore() });
});
