/**
 * The SQS forms scenario suite on ElasticMQ, with the in-memory store: every form
 * (Lambda handler, middy, Powertools, sqs-consumer worker) through the same scenarios.
 */
import { MemoryStore } from '@oncely/core';
import { describeSqsScenarios } from '@oncely/sqs/testing/scenarios';
import { describeWithServers, sqsClient } from '@oncely/test-support/servers';

describeWithServers('SQS forms on ElasticMQ', () => {
  describeSqsScenarios('MemoryStore', {
    store: () => new MemoryStore(),
    sqs: () => sqsClient(),
  });
});
