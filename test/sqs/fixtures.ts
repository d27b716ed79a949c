/**
 * Suite fixtures for tests against ElasticMQ and DynamoDB Local: each registers its own
 * `beforeAll`/`afterAll`, so a suite gets its clients, queues and table made before the
 * first test and removed after the last. Call them in the body of a `describeWithServers`.
 *
 * @example
 * describeWithServers('my adapter', () => {
 *   const sqs = useQueues('mine');
 *   const table = useTestTable();
 *   it('works', async () => {
 *     const q = await sqs.queue({ visibilityTimeout: 1 });
 *     await sendMessages(sqs.client, q, [{ body: 'hello' }]);
 *     // ... table.store, table.namespace()
 *   });
 * });
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll } from 'vitest';
import { sqsClient } from '../support/servers.js';
import { type CreateQueueOptions, createQueue, deleteQueue, type TestQueue } from './queues.js';
import { createTestTable, type TestTable } from './stores.js';

/** The SQS side of a suite: one client, and the queues the suite made, deleted after it. */
export interface QueueFixture {
  /** The suite's SQS client (made in `beforeAll`, destroyed in `afterAll`). */
  readonly client: SQSClient;
  /** Creates a queue with the suite's prefix, deleted after the suite. */
  queue(options?: Omit<CreateQueueOptions, 'prefix'>): Promise<TestQueue>;
  /** Deletes `queue`, made some other way, with the suite's own queues; returns it. */
  adopt(queue: TestQueue): TestQueue;
}

/**
 * Registers the hooks that make an SQS client before the suite and, after it, delete the
 * suite's queues and destroy the client.
 *
 * @param prefix Start of every queue name, to tell suites apart on a shared server.
 * @example
 * const sqs = useQueues('driver');
 */
export function useQueues(prefix: string): QueueFixture {
  let client: SQSClient | undefined;
  const queues: TestQueue[] = [];
  beforeAll(() => {
    client = sqsClient();
  });
  afterAll(async () => {
    if (!client) return;
    const made = client;
    await Promise.all(queues.map((queue) => deleteQueue(made, queue)));
    made.destroy();
  });
  const fixture: QueueFixture = {
    get client() {
      return madeBefore(client, 'SQS client');
    },
    async queue(options = {}) {
      return fixture.adopt(await createQueue(fixture.client, { ...options, prefix }));
    },
    adopt(queue) {
      queues.push(queue);
      return queue;
    },
  };
  return fixture;
}

/**
 * Registers the hooks that create a DynamoDB Local table with a store on it before the
 * suite and drop it after; the returned table reads through to the one made.
 *
 * @example
 * const table = useTestTable();
 * // in a test: createSqsHandler({ store: table.store, namespace: table.namespace(), ... })
 */
export function useTestTable(prefix?: string): Omit<TestTable, 'drop'> {
  let table: TestTable | undefined;
  beforeAll(async () => {
    table = await createTestTable(prefix);
  });
  afterAll(async () => {
    await table?.drop();
  });
  const made = () => madeBefore(table, 'test table');
  return {
    get client() {
      return made().client;
    },
    get tableName() {
      return made().tableName;
    },
    get store() {
      return made().store;
    },
    namespace: (name) => made().namespace(name),
  };
}

/** A fixture's value, or a clear error when a test body reads it outside a test. */
function madeBefore<T>(value: T | undefined, what: string): T {
  if (value === undefined) {
    throw new Error(`the ${what} is made in beforeAll: use it inside a test or hook`);
  }
  return value;
}
