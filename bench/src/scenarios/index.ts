import type { Scenario } from '../framework/scenario.js';
import { dynamodbScenario } from './dynamodb.js';
import { engineScenario } from './engine.js';
import { kafkaScenario } from './kafka.js';
import {
  lambdaSqsDirectScenario,
  lambdaSqsLatency20Scenario,
  lambdaSqsLatencyScenario,
} from './lambda-sqs.js';
import { lambdaSqsRedisScenario } from './lambda-sqs-redis.js';
import { storesScenario } from './stores.js';

/** Every scenario, in the order `npm run bench` runs them. */
export const SCENARIOS: readonly Scenario[] = [
  engineScenario,
  dynamodbScenario,
  storesScenario,
  lambdaSqsDirectScenario,
  lambdaSqsLatencyScenario,
  lambdaSqsLatency20Scenario,
  lambdaSqsRedisScenario,
  kafkaScenario,
];
