/**
 * vitest globalSetup of the `integration` project: starts DynamoDB Local, ElasticMQ and Kafka
 * once for the whole run, checks that the PostgreSQL and Redis services answer, hands their addresses to the test files, and stops them at the end.
 * Test files read them through `@oncely/test-support/servers`.
 */

import { type ProvidedServers, SKIP_ENV } from '@oncely/test-support/provided';
import { missingServices, SERVICE_ENV, serviceUrl } from '@oncely/test-support/services';
import type { TestProject } from 'vitest/node';
import {
  ALL_SERVER_KINDS,
  availability,
  ENDPOINT_ENV,
  type RunningServers,
  startServers,
} from '../servers/index.js';

export type { ProvidedServers } from '@oncely/test-support/provided';

function isCI(): boolean {
  return /^(1|true|yes)$/i.test(process.env.CI ?? '');
}

function exposeInEnv(values: Record<string, string | undefined>): () => void {
  const previous = Object.fromEntries(Object.keys(values).map((key) => [key, process.env[key]]));
  const assign = (entries: Record<string, string | undefined>) => {
    for (const [key, value] of Object.entries(entries)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  };
  // Workers are forked after globalSetup, so they inherit these.
  assign(values);
  return () => assign(previous);
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const found = await availability(ALL_SERVER_KINDS);
  const services = await missingServices();
  const hint = [found.hint, services.hint].filter(Boolean).join('; ');
  const missing = found.missing.length + services.missing.length > 0;
  if (missing && isCI()) {
    // In CI a missing server is a broken pipeline, never a silent skip.
    throw new Error(`[oncely] CI=true but ${hint}`);
  }
  if (missing) {
    // One line, not a stack trace: unit tests still run, integration tests skip.
    const reason = `${hint}. Integration tests are skipped.`;
    console.warn(`[oncely] ${reason}`);
    project.provide('oncelyServers', { available: false, skipReason: reason });
    const restore = exposeInEnv({ [SKIP_ENV]: '1' });
    return async () => restore();
  }

  // In CI a server that cannot start fails the run: startServers throws with the log tails.
  const started = Date.now();
  const servers: RunningServers = await startServers([...ALL_SERVER_KINDS], {
    log: (line) => console.log(`[oncely servers] ${line}`),
  });
  console.log(`[oncely servers] all up in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const provided: ProvidedServers = {
    available: true,
    dynamodbEndpoint: servers.dynamodb?.endpoint,
    sqsEndpoint: servers.sqs?.endpoint,
    kafkaBrokers: servers.kafka?.brokers,
    postgresUrl: serviceUrl('postgres'),
    redisUrl: serviceUrl('redis'),
  };
  project.provide('oncelyServers', provided);
  const restore = exposeInEnv({
    [ENDPOINT_ENV.dynamodb]: provided.dynamodbEndpoint,
    [ENDPOINT_ENV.sqs]: provided.sqsEndpoint,
    [ENDPOINT_ENV.kafka]: provided.kafkaBrokers?.join(','),
    [SERVICE_ENV.postgres.name]: provided.postgresUrl,
    [SERVICE_ENV.redis.name]: provided.redisUrl,
    [SKIP_ENV]: undefined,
  });
  return async () => {
    restore();
    await servers.stop();
  };
}
