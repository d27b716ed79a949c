import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StoreError } from '../errors.js';
import type { AdvanceOutcome, Watermark, WatermarkStore } from '../watermark.js';

/** A watermark store ready for the suite, and how to clean it up. */
export interface WatermarkStoreUnderTest {
  readonly store: WatermarkStore;
  readonly teardown?: () => Promise<void> | void;
}

/** Makes the store once for the whole suite; keys are unique per test, so one table serves all. */
export type WatermarkStoreFactory = () =>
  | WatermarkStoreUnderTest
  | Promise<WatermarkStoreUnderTest>;

/** What the store under test declares beyond the contract's required behaviour, and extra tests. */
export interface WatermarkConformanceOptions {
  /**
   * Makes a store of the same kind whose storage is unavailable (a missing table, a closed
   * connection). With it, the suite checks that every operation then throws core's
   * `StoreError` with the operation (`read` as `get`, `advance` as `commit`, `delete` as
   * `delete`) rather than answering an outcome. A store that cannot fail (in memory) leaves
   * it out, and those tests are not registered (nothing is reported skipped).
   * @default undefined
   */
  readonly unavailable?: () => WatermarkStore | Promise<WatermarkStore>;
  /**
   * Registers the store's own tests inside the suite, after the shared ones; `store()`
   * returns the store under test once the suite's `beforeAll` has made it.
   * @default undefined
   */
  readonly extraTests?: (store: () => WatermarkStore) => void;
}

// A fixed time far from the real one: stores must write the caller's `now`, never their own.
const T0 = Date.UTC(2031, 4, 1, 12, 0, 0, 250);
const INT64_MAX = '9223372036854775807';

function refused(outcome: AdvanceOutcome): Watermark {
  expect(outcome.advanced).toBe(false);
  return (outcome as Extract<AdvanceOutcome, { advanced: false }>).current;
}

/**
 * Registers the conformance tests for a {@link WatermarkStore}: an absent watermark reads
 * `undefined`; the first write and every higher one advance and read back exactly (offset,
 * owner, the caller's `now`); an equal or lower offset is refused with the stored
 * watermark and changes nothing; offsets compare as int64 numbers (`'10'` above `'9'`, up
 * to 2^63-1, never rounded); keys are independent; `delete` removes one (absent is fine)
 * and the next write starts afresh; among parallel writers of one offset exactly one wins
 * and every loser is answered with the winner's watermark; parallel writers of different
 * offsets leave the highest. With `unavailable`, failures are `StoreError`s.
 *
 * @example
 * import { describeWatermarkStoreConformance } from '@oncely/core/testing';
 * import { MemoryWatermarkStore } from '@oncely/kafka';
 *
 * describeWatermarkStoreConformance('MemoryWatermarkStore', () => ({
 *   store: new MemoryWatermarkStore(),
 * }));
 */
export function describeWatermarkStoreConformance(
  name: string,
  factory: WatermarkStoreFactory,
  options: WatermarkConformanceOptions = {},
): void {
  describe(`${name} conforms to the WatermarkStore contract`, () => {
    let underTest: WatermarkStoreUnderTest;
    let store: WatermarkStore;
    beforeAll(async () => {
      underTest = await factory();
      store = underTest.store;
    });
    afterAll(async () => {
      await underTest?.teardown?.();
    });
    // Shaped like the Kafka adapter's keys (`namespace#topic/partition`), unique per test.
    const key = () => `kafka:conformance#orders.${randomUUID()}/3`;
    const advance = (k: string, offset: string, owner = 'owner-a', now = T0) =>
      store.advance(k, { offset, owner, now });

    it('has a name for logs and errors', () => {
      expect(typeof store.name).toBe('string');
      expect(store.name.length).toBeGreaterThan(0);
    });

    it('reads an absent watermark as undefined', async () => {
      expect(await store.read(key())).toBeUndefined();
    });

    it('advances an absent watermark and reads back the offset, owner and the caller’s now', async () => {
      const k = key();
      expect(await advance(k, '41', 'owner-a', T0)).toEqual({ advanced: true });
      expect(await store.read(k)).toEqual({ offset: '41', owner: 'owner-a', updatedAt: T0 });
    });

    it('starts at offset 0 like any other', async () => {
      const k = key();
      expect(await advance(k, '0')).toEqual({ advanced: true });
      expect((await store.read(k))?.offset).toBe('0');
    });

    it('advances to a higher offset, taking the new owner and time', async () => {
      const k = key();
      await advance(k, '9', 'owner-a', T0);
      expect(await advance(k, '12', 'owner-b', T0 + 5000)).toEqual({ advanced: true });
      expect(await store.read(k)).toEqual({ offset: '12', owner: 'owner-b', updatedAt: T0 + 5000 });
    });

    it('refuses the same offset, answering the stored watermark and changing nothing', async () => {
      const k = key();
      await advance(k, '10', 'owner-a', T0);
      const current = refused(await advance(k, '10', 'owner-b', T0 + 1000));
      expect(current).toEqual({ offset: '10', owner: 'owner-a', updatedAt: T0 });
      expect(await store.read(k)).toEqual({ offset: '10', owner: 'owner-a', updatedAt: T0 });
    });

    it('refuses a lower offset: a watermark never moves backwards, whoever writes it', async () => {
      const k = key();
      await advance(k, '100', 'owner-a', T0);
      const current = refused(await advance(k, '99', 'owner-b', T0 + 1000));
      expect(current).toEqual({ offset: '100', owner: 'owner-a', updatedAt: T0 });
      expect((await store.read(k))?.offset).toBe('100');
    });

    it('compares offsets as numbers, not as strings', async () => {
      const k = key();
      await advance(k, '9');
      // As strings '10' < '9'; as offsets it is the next one up.
      expect(await advance(k, '10')).toEqual({ advanced: true });
      expect(refused(await advance(k, '9')).offset).toBe('10');
      expect(await advance(k, '100')).toEqual({ advanced: true });
    });

    it('keeps int64 offsets exactly, up to 2^63-1', async () => {
      const k = key();
      // Above 2^53 a float would round both to the same number.
      expect(await advance(k, '9223372036854775806')).toEqual({ advanced: true });
      expect(await advance(k, INT64_MAX)).toEqual({ advanced: true });
      expect((await store.read(k))?.offset).toBe(INT64_MAX);
      expect(refused(await advance(k, '9223372036854775806')).offset).toBe(INT64_MAX);
    });

    it('keeps each key’s watermark apart', async () => {
      const a = key();
      const b = key();
      await advance(a, '50');
      expect(await store.read(b)).toBeUndefined();
      expect(await advance(b, '5')).toEqual({ advanced: true });
      expect((await store.read(a))?.offset).toBe('50');
      expect((await store.read(b))?.offset).toBe('5');
    });

    it('deletes a watermark, after which a lower offset starts afresh', async () => {
      const k = key();
      await advance(k, '70');
      await store.delete(k);
      expect(await store.read(k)).toBeUndefined();
      expect(await advance(k, '3')).toEqual({ advanced: true });
      expect((await store.read(k))?.offset).toBe('3');
    });

    it('deletes an absent watermark without failing', async () => {
      await expect(store.delete(key())).resolves.toBeUndefined();
    });

    it('lets exactly one of parallel writers of the same offset win; the others get its watermark', async () => {
      const k = key();
      const owners = ['a', 'b', 'c', 'd', 'e', 'f'];
      const outcomes = await Promise.all(owners.map((owner) => advance(k, '5', owner)));
      const winners = owners.filter((_, index) => outcomes[index]?.advanced);
      expect(winners).toHaveLength(1);
      const stored = await store.read(k);
      expect(stored).toEqual({ offset: '5', owner: winners[0], updatedAt: T0 });
      for (const outcome of outcomes) {
        if (!outcome.advanced) expect(outcome.current).toEqual(stored);
      }
    });

    it('leaves the highest of parallel writers of different offsets', async () => {
      const k = key();
      const offsets = ['3', '17', '8', '12', '1', '16'];
      const outcomes = await Promise.all(
        offsets.map((offset, index) => advance(k, offset, `owner-${index}`)),
      );
      expect((await store.read(k))?.offset).toBe('17');
      expect(outcomes[offsets.indexOf('17')]).toEqual({ advanced: true });
      offsets.forEach((offset, index) => {
        const outcome = outcomes[index];
        // A refused write was blocked by a watermark at or past its own offset.
        if (outcome && !outcome.advanced) {
          expect(BigInt(outcome.current.offset)).toBeGreaterThanOrEqual(BigInt(offset));
        }
      });
    });

    const { unavailable } = options;
    if (unavailable !== undefined)
      describe('when its storage is unavailable', () => {
        it.each([
          ['read', 'get', (broken: WatermarkStore) => broken.read(key())],
          [
            'advance',
            'commit',
            (broken: WatermarkStore) => broken.advance(key(), { offset: '1', owner: 'o', now: T0 }),
          ],
          ['delete', 'delete', (broken: WatermarkStore) => broken.delete(key())],
        ] as const)(
          '%s throws a StoreError (operation %s), never an outcome',
          async (_, operation, run) => {
            // Made per test: the suite's store and this one may share a client.
            const broken = await (unavailable as NonNullable<typeof unavailable>)();
            const error = await run(broken).then(
              (value) => ({ resolved: value }),
              (caught: unknown) => caught,
            );
            expect(error).toBeInstanceOf(StoreError);
            expect((error as StoreError).operation).toBe(operation);
            expect(typeof (error as StoreError).retryable).toBe('boolean');
          },
        );
      });

    options.extraTests?.(() => store);
  });
}
