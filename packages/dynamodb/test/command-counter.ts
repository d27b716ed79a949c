import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/**
 * Counts the commands a client sends, by name (`PutItemCommand`, ...), with a client
 * middleware, so a test can pin down the round trips an operation costs.
 */
export function countCommands(client: DynamoDBClient): {
  readonly counts: () => Record<string, number>;
  readonly reset: () => void;
} {
  let counts: Record<string, number> = {};
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const name = String(context.commandName);
      counts[name] = (counts[name] ?? 0) + 1;
      return next(args);
    },
    { step: 'initialize', name: 'oncely-command-counter' },
  );
  return {
    counts: () => ({ ...counts }),
    reset: () => {
      counts = {};
    },
  };
}
