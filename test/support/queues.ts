/**
 * The SQS fixture for tests against ElasticMQ: it registers its own `beforeAll`/`afterAll`,
 * so a suite gets its client and queues made before the first test and removed after the
 * last. Call it in the body of a `describeWithServers` (for the table, `useStoreTable`);
 * the queue helpers themselves are `@oncely/sqs/testing/sqs-server`'s.
 *
 * @example
 * import { useQueues } from '@oncely/test-support/queues';
 *
 * describeWithServers('my adapter', () => {
 *   const sqs = useQueues('mine');
 *   const table = useStoreTable('mine');
 *   it('works', async () => {
 *     const q = await sqs.queue({ visibilityTimeout: 1 });
 *     await sendMessages(sqs.client, q, [{ body: 'hello' }]);
 *     // ... table.store, table.namespace()
 *   });
 * });
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import {
  type CreateQueueOptions,
  createQueue,
  deleteQueue,
  type TestQueue,
} from '@oncely/sqs/testing/sqs-server';
import { afterAll, beforeAll } from 'vitest';
import { sqsClient } from './servers.js';

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

/** A fixture's value, or a clear error when a test body reads it outside a test. */
function madeBefore<T>(value: T | undefined, what: string): T {
  if (value === undefined) {
    throw new Error(`the ${what} is made in beforeAll: use it inside a test or hook`);
  }
  return value;
}
