import { describe, expect, it } from 'vitest';
import { buildSqsBatches } from '../src/contenders/sqs-events.js';

describe('buildSqsBatches', () => {
  const plan = { round: 'r1', batches: 50, settledGap: 4 };

  it('makes batches of 10 with 2 redeliveries each once enough batches are settled', () => {
    const { batches, unique, duplicates } = buildSqsBatches(plan);
    expect(batches).toHaveLength(50);
    expect(batches.every((batch) => batch.event.Records.length === 10)).toBe(true);
    expect(duplicates).toBe(2 * 46);
    expect(unique + duplicates).toBe(500);
    const ids = batches.flatMap((batch) => batch.event.Records.map((record) => record.messageId));
    expect(new Set(ids).size).toBe(unique);
  });

  it('only redelivers messages of batches settledGap or more places back, and says which', () => {
    const { batches } = buildSqsBatches(plan);
    const batchOf = new Map<string, number>();
    batches.forEach((batch, index) => {
      for (const record of batch.event.Records) {
        const first = batchOf.get(record.messageId);
        if (first === undefined) {
          batchOf.set(record.messageId, index);
          expect(record.attributes.ApproximateReceiveCount).toBe('1');
        } else {
          expect(index - first).toBeGreaterThanOrEqual(4);
          expect(first).toBeLessThanOrEqual(batch.after ?? -1);
          expect(record.attributes.ApproximateReceiveCount).toBe('2');
        }
      }
    });
  });

  it('gives the same batches for the same plan, and new IDs for a new round', () => {
    expect(buildSqsBatches(plan)).toEqual(buildSqsBatches(plan));
    const other = buildSqsBatches({ ...plan, round: 'r2' });
    expect(other.batches[0]?.event.Records[0]?.messageId).not.toBe(
      buildSqsBatches(plan).batches[0]?.event.Records[0]?.messageId,
    );
  });
});
