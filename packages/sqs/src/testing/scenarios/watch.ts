import type { Message, SQSClient } from '@aws-sdk/client-sqs';

/**
 * What one SQS client received and deleted, seen from below every form: Lambda's event
 * source stand-in and sqs-consumer alike send `ReceiveMessage` and `DeleteMessage(Batch)`
 * through it, so "acknowledged" means the same for all four forms. It can also lose
 * acknowledgements (answer a delete without sending it), as a crash between a handler's
 * success and the delete does, so that SQS redelivers a processed message. Internal.
 */
export interface QueueWatch {
  /** The message IDs of each receive that returned messages, in order. */
  readonly receives: readonly (readonly string[])[];
  /** Deletes that reached the queue, by message ID, in order. */
  readonly acked: readonly string[];
  /** Deletes answered without being sent (while `loseAcks` was on). */
  readonly lost: readonly string[];
  /** How many times `messageId` was received. */
  receiveCount(messageId: string): number;
  /** While on, deletes are answered as successful but never sent. */
  loseAcks(on: boolean): void;
}

const MIDDLEWARE = 'oncelyScenarioWatch';

interface DeleteEntry {
  readonly Id?: string;
  readonly ReceiptHandle?: string;
}

/** Adds the watch to `client` (a client the suite made for one form run). */
export function watchQueue(client: SQSClient): QueueWatch {
  const byHandle = new Map<string, string>();
  const receives: string[][] = [];
  const acked: string[] = [];
  const lost: string[] = [];
  let losing = false;
  const idOf = (entry: DeleteEntry) => byHandle.get(entry.ReceiptHandle ?? '') ?? '?';

  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { ReceiptHandle?: string; Entries?: DeleteEntry[] };
      const command = context.commandName;
      if (command === 'DeleteMessageCommand' || command === 'DeleteMessageBatchCommand') {
        const batch = command === 'DeleteMessageBatchCommand';
        const entries: DeleteEntry[] = batch ? (input.Entries ?? []) : [input];
        if (losing) {
          lost.push(...entries.map(idOf));
          const output = batch
            ? { Successful: entries.map((entry) => ({ Id: entry.Id })), Failed: [] }
            : {};
          return { output: { $metadata: {}, ...output }, response: {} } as never;
        }
        const result = await next(args);
        const failed = new Set(
          ((result.output as { Failed?: { Id?: string }[] }).Failed ?? []).map((f) => f.Id),
        );
        acked.push(...entries.filter((entry) => !failed.has(entry.Id)).map(idOf));
        return result;
      }
      const result = await next(args);
      if (command === 'ReceiveMessageCommand') {
        const messages = (result.output as { Messages?: Message[] }).Messages ?? [];
        for (const message of messages) {
          byHandle.set(message.ReceiptHandle ?? '', message.MessageId ?? '');
        }
        if (messages.length > 0) receives.push(messages.map((message) => message.MessageId ?? ''));
      }
      return result;
    },
    { step: 'initialize', name: MIDDLEWARE, override: true },
  );

  return {
    receives,
    acked,
    lost,
    receiveCount: (messageId) => receives.filter((ids) => ids.includes(messageId)).length,
    loseAcks(on) {
      losing = on;
    },
  };
}
