/** The Kafka consumer-group scenarios on a real broker, with Redis as the store. */
import { describeWithServers } from '@oncely/test-support/servers';
import { redisSuiteStore } from '@oncely/test-support/suite-stores';
import { describeKafkaScenarios } from './scenarios.js';

describeWithServers('@oncely/kafka on a real broker', () => {
  describeKafkaScenarios('RedisStore', redisSuiteStore());
});
