/**
 * The effect ledger of fault and chaos runs: one DynamoDB item per handler effect,
 * keyed by a fresh effect ID and carrying the message key, so counting a key's items
 * counts how many times its effect happened. In transactional mode the item is added
 * to the record's transaction; in normal mode it is an ordinary write outside the
 * store, as a real side effect would be.
 */
import { randomUUID } from 'node:crypto';
import {
  type DynamoDBClient,
  type Put,
  PutItemCommand,
  ScanCommand,
  type ScanCommandOutput,
} from '@aws-sdk/client-dynamodb';
import { createTable } from '@oncely/dynamodb';

/** One effect, as the ledger holds it. */
export interface LedgerEffect {
  /** Unique per effect: two effects of one key are two items. */
  readonly effectId: string;
  /** The message's dedup key. */
  readonly key: string;
  /** Who wrote it (a worker's name), for reports. */
  readonly worker: string;
}

/** Creates the ledger table (partition key `pk`, the effect ID). */
export async function createLedgerTable(client: DynamoDBClient, tableName: string): Promise<void> {
  await createTable(client, { tableName });
}

/** The `Put` of one new effect of `key`: for a transaction, or for {@link writeEffect}. */
export function effectPut(tableName: string, key: string, worker: string): Put {
  return {
    TableName: tableName,
    Item: {
      pk: { S: randomUUID() },
      key: { S: key },
      worker: { S: worker },
      at: { N: String(Date.now()) },
    },
    // A fresh ID never exists: the condition only guards against a wrong table.
    ConditionExpression: 'attribute_not_exists(pk)',
  };
}

/** Writes one effect of `key` directly: the normal-mode side effect. */
export async function writeEffect(
  client: DynamoDBClient,
  tableName: string,
  key: string,
  worker: string,
): Promise<void> {
  await client.send(new PutItemCommand(effectPut(tableName, key, worker)));
}

/** Reads every effect in the ledger (a consistent, paginated scan). */
export async function readLedger(
  client: DynamoDBClient,
  tableName: string,
): Promise<LedgerEffect[]> {
  const effects: LedgerEffect[] = [];
  let start: ScanCommandOutput['LastEvaluatedKey'];
  do {
    const page = await client.send(
      new ScanCommand({ TableName: tableName, ConsistentRead: true, ExclusiveStartKey: start }),
    );
    for (const item of page.Items ?? []) {
      effects.push({
        effectId: item.pk?.S ?? '',
        key: item.key?.S ?? '',
        worker: item.worker?.S ?? '',
      });
    }
    start = page.LastEvaluatedKey;
  } while (start !== undefined);
  return effects;
}

/** Effects per key. */
export function countByKey(effects: readonly { readonly key: string }[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const { key } of effects) counts.set(key, (counts.get(key) ?? 0) + 1);
  return counts;
}
