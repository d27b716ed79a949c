import type { Scenario } from '../framework/scenario.js';
import { dynamodbScenario } from './dynamodb.js';
import { engineScenario } from './engine.js';
import { kafkaScenario } from './kafka.js';
import {
  lambdaSqsDirectScenario,
  lambdaSqsLatency20Scenario,
  lambdaSqsLatencyScenario,
} from './lambda-sqs.js';

/** Every scenario, in the order `npm run bench` runs them. */
export const SCENARIOS: readonly Scenario[] = [
  engineScenario,
  dynamodbScenario,
  lambdaSqsDirectScenario,
  lambdaSqsLatencyScenario,
  lambdaSqsLatency20Scenario,
  kafkaScenario,
];
