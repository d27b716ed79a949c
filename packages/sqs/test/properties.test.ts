import { randomUUID } from 'node:crypto';
import { MemoryStore } from '@oncely/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createSqsHandler } from '../src/index.js';
import { createLambdaContext } from '../src/testing/index.js';
import { toLambdaRecord } from '../src/testing/sqs-server/index.js';

const ARN = 'arn:aws:sqs:us-east-1:000000000000:orders';

/** Bodies a producer might really send: valid events, other JSON, broken JSON, nothing. */
const bodies = fc.oneof(
  fc.record({ order: fc.record({ id: fc.string() }) }).map((value) => JSON.stringify(value)),
  fc.jsonValue().map((value) => JSON.stringify(value)),
  fc.string({ unit: 'binary' }),
  fc.constant(''),
);

function expectedKey(body: string): string | undefined {
  try {
    const id = (JSON.parse(body) as { order?: { id?: unknown } } | null)?.order?.id;
    // A blank key names no event: the reader refuses it as empty.
    return typeof id === 'string' && id.trim().length > 0 ? id : undefined;
  } catch {
    return undefined;
  }
}

describe('SQS key extraction under arbitrary bodies', () => {
  it('runs a record only when its body yields a key; every other record is a reported failure, never a silent ack', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(bodies, { minLength: 1, maxLength: 10 }), async (batch) => {
        const store = new MemoryStore();
        const ran: string[] = [];
        const handler = createSqsHandler({
          store,
          key: { field: 'order.id' },
          handler: async (message) => {
            ran.push(message.messageId);
          },
        });
        const records = batch.map((Body) => toLambdaRecord({ MessageId: randomUUID(), Body }, ARN));
        const response = await handler({ Records: records }, createLambdaContext());
        const failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
        const keys = new Set<string>();
        for (const [i, record] of records.entries()) {
          const key = expectedKey(batch[i] as string);
          if (key === undefined) {
            expect(failed.has(record.messageId)).toBe(true);
            expect(ran).not.toContain(record.messageId);
          } else {
            expect(failed.has(record.messageId)).toBe(false);
            keys.add(key);
          }
        }
        expect(ran.length).toBe(keys.size);
      }),
      { numRuns: 60 },
    );
  });
});
