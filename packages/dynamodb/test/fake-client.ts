import { DynamoDBClient, type ServiceOutputTypes } from '@aws-sdk/client-dynamodb';

/** One command the fake client received. */
export interface SentCommand {
  readonly name: string;
  readonly input: Record<string, unknown>;
}

/** Answers a command: return its output, or throw the error DynamoDB would. */
export type Responder = (command: SentCommand) => unknown;

/**
 * A real `DynamoDBClient` whose requests never leave the process: a middleware at the
 * first step answers each command, so the store under test runs through the real SDK
 * command objects. For edge cases only; the behaviour is proven against DynamoDB Local.
 */
export function fakeClient(respond: Responder): { client: DynamoDBClient; sent: SentCommand[] } {
  const client = new DynamoDBClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'unit', secretAccessKey: 'unit' },
    maxAttempts: 1,
  });
  const sent: SentCommand[] = [];
  client.middlewareStack.add(
    (_next, context) => async (args) => {
      const command = {
        name: String(context.commandName),
        input: args.input as Record<string, unknown>,
      };
      sent.push(command);
      const output = (await respond(command)) ?? { $metadata: {} };
      return { output: output as ServiceOutputTypes, response: undefined };
    },
    { step: 'initialize', priority: 'high', name: 'fake-dynamodb' },
  );
  return { client, sent };
}

/** The input of the `index`-th command sent, typed as the test expects it. */
export function inputOf<T>(sent: readonly SentCommand[], index: number): T {
  const command = sent[index];
  if (command === undefined) throw new Error(`no command #${index} was sent`);
  return command.input as T;
}
