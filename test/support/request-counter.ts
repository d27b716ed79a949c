import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** Counts the requests one DynamoDB client sent, by command. */
export interface RequestCounter {
  /** Every request sent since the last reset, retries included. */
  readonly total: number;
  /** Requests by command name, e.g. `{ PutItemCommand: 12, UpdateItemCommand: 10 }`. */
  byCommand(): Record<string, number>;
  reset(): void;
}

const MIDDLEWARE_NAME = 'oncelyRequestCounter';

/**
 * Adds a middleware to `client` that counts every HTTP request it sends. It sits in
 * the `finalizeRequest` step below the retry middleware, so a retried command counts
 * once per attempt: what DynamoDB bills and what a round trip costs.
 *
 * @example
 * const client = new DynamoDBClient({ endpoint });
 * const requests = countRequests(client);
 * await store.claim(...);
 * requests.total; // 1
 */
export function countRequests(client: DynamoDBClient): RequestCounter {
  let counts = new Map<string, number>();
  let total = 0;
  client.middlewareStack.remove(MIDDLEWARE_NAME);
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = context.commandName ?? 'unknown';
      counts.set(command, (counts.get(command) ?? 0) + 1);
      total++;
      return next(args);
    },
    { step: 'finalizeRequest', priority: 'low', name: MIDDLEWARE_NAME },
  );
  return {
    get total() {
      return total;
    },
    byCommand: () => Object.fromEntries(counts),
    reset() {
      counts = new Map();
      total = 0;
    },
  };
}
