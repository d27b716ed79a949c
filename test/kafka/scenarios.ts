/**
 * The Kafka consumer-group scenarios on a real Kafka broker (KRaft), on any store:
 * producer duplicates, redelivery after a crash before the commit, a rebalance in the
 * middle of batches, an evicted member still running a message, and a poison message.
 * One store per suite, shared by every consumer of every test (standing in for the shared
 * table); tests never meet, as each has its own topic and the keys carry the topic.
 * Run from `scenarios-<store>.int.test.ts`.
 */
import type { DedupStore, OncelyEvent } from '@oncely/core';
import {
  type KafkaMessageContext,
  type KeySource,
  MemoryWatermarkStore,
  MessageKeyError,
} from '@oncely/kafka';
import type { KafkaClientDriver } from '@oncely/test-support/kafka-clients';
import { kafkajsDriver } from '@oncely/test-support/kafka-clients/kafkajs';
import { kafkaBrokers } from '@oncely/test-support/servers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EffectLedger, eventually, KafkaHarness, unique } from './harness.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Options of {@link describeKafkaScenarios}. */
export interface KafkaScenarioOptions {
  /** Makes the store, once for the suite. */
  readonly store: () => DedupStore | Promise<DedupStore>;
  /** Tears the store down after the suite. */
  readonly teardown?: () => Promise<void> | void;
  /**
   * The client binding the members run on; the harness (kafkajs) still creates topics,
   * produces and reads offsets.
   * @default kafkajs
   */
  readonly client?: (brokers: readonly string[]) => KafkaClientDriver;
}

/**
 * Registers the consumer-group scenarios on the store `setup.store` makes.
 *
 * @example
 * describeWithServers('Kafka on MemoryStore', () => {
 *   describeKafkaScenarios('MemoryStore', { store: () => new MemoryStore() });
 * });
 */
export function describeKafkaScenarios(name: string, setup: KafkaScenarioOptions): void {
  const makeClient = setup.client ?? kafkajsDriver;
  describe(`${name}: Kafka consumer-group scenarios`, () => {
    const harness = new KafkaHarness();
    const client = makeClient(kafkaBrokers());
    let store: DedupStore;
    beforeAll(async () => {
      store = await setup.store();
    });
    afterAll(async () => {
      await client.close();
      await harness.close();
      await setup.teardown?.();
    });

    it('runs producer duplicates (same header, new offsets) once', async () => {
      const topic = await harness.createTopic('dup', 2);
      const groupId = unique('dup');
      const events = ['e0', 'e1', 'e2', 'e3', 'e4', 'e5'];
      // Each event twice, as a producer retry would write it: same header, same partition.
      await harness.produce(
        topic,
        [...events, ...events].map((id) => ({
          key: id,
          value: JSON.stringify({ id }),
          headers: { 'idempotency-key': id },
        })),
      );
      const ledger = new EffectLedger();
      const duplicates: string[] = [];
      await client.start({
        groupId,
        topic,
        mode: {
          kind: 'message',
          options: {
            store,
            groupId,
            key: { header: 'idempotency-key' },
            onEvent: (event) => event.type === 'duplicate' && duplicates.push(event.key),
            handler: ({ message }) => ledger.record(String(message.value)),
          },
        },
      });
      await eventually('the group to commit every message', () => harness.caughtUp(groupId, topic));
      expect(ledger.size).toBe(6);
      expect(ledger.repeated()).toEqual([]);
      expect(duplicates.sort()).toEqual(events.map((id) => `${topic}/${id}`));
    });

    it('skips messages redelivered after a consumer processed them and died before committing', async () => {
      const topic = await harness.createTopic('crash', 2);
      const groupId = unique('crash');
      await harness.produce(
        topic,
        Array.from({ length: 40 }, (_, i) => ({ value: `m${i}`, partition: i % 2 })),
      );
      const ledger = new EffectLedger();
      const batchMode = (events: OncelyEvent[]) =>
        ({
          kind: 'batch',
          options: {
            store,
            groupId,
            onEvent: (event: OncelyEvent) => events.push(event),
            handler: ({ message }: KafkaMessageContext) => ledger.record(String(message.value)),
          },
        }) as const;

      // The first consumer never commits and goes away after its effects.
      const crashed = await client.start({ groupId, topic, commit: false, mode: batchMode([]) });
      await eventually('the first consumer to process all 40', () => ledger.size === 40);
      await crashed.stop();
      // The disconnect must not have committed anything: nothing was ever resolved into a commit.
      expect([...(await harness.committed(groupId, topic)).values()]).toEqual([-1, -1]);

      const replayed: OncelyEvent[] = [];
      await client.start({ groupId, topic, mode: batchMode(replayed) });
      await eventually('the second consumer to commit everything', () =>
        harness.caughtUp(groupId, topic),
      );
      expect(ledger.total).toBe(40);
      expect(ledger.repeated()).toEqual([]);
      expect(replayed.filter((event) => event.type === 'duplicate')).toHaveLength(40);
      expect(replayed.filter((event) => event.type === 'claimed')).toHaveLength(0);
    });

    it('loses nothing and runs nothing twice while a member joins and another leaves mid-batch', async () => {
      const topic = await harness.createTopic('rebalance', 4);
      const groupId = unique('rebalance');
      const total = 200;
      await harness.produce(
        topic,
        Array.from({ length: total }, (_, i) => ({ value: `m${i}`, partition: i % 4 })),
      );
      const ledger = new EffectLedger();
      const byMember = { a: 0, b: 0 };
      let givenBack = 0;
      const member = (name: 'a' | 'b') => ({
        groupId,
        topic,
        mode: {
          kind: 'batch' as const,
          options: {
            store,
            groupId,
            claimAhead: 8,
            onEvent: (event: OncelyEvent) => event.type === 'released' && givenBack++,
            sessionTimeout: 6_000,
            heartbeatInterval: 300,
            // Slow handlers keep batches in flight while the group rebalances.
            handler: async ({ message }: KafkaMessageContext) => {
              await sleep(20);
              ledger.record(String(message.value));
              byMember[name]++;
            },
          },
        },
      });

      const a = await client.start(member('a'));
      await eventually('member a to be under way', () => ledger.size >= 20);
      await client.start(member('b'));
      await eventually('member b to take over partitions', () => byMember.b >= 5, 45_000);
      expect(ledger.size).toBeLessThan(total); // a leaves while there is work left
      await a.stop();
      await eventually(
        'the group to commit every message',
        () => harness.caughtUp(groupId, topic),
        60_000,
      );

      expect(ledger.size).toBe(total);
      expect(ledger.repeated()).toEqual([]);
      expect(byMember.a + byMember.b).toBe(total);
      if (client.rebalanceCutsBatches ?? true) {
        // The rebalances did cut into batches: claims taken ahead were given back unrun.
        expect(givenBack).toBeGreaterThan(0);
      } else {
        // The client let every batch end before it gave its partitions up: nothing cut short.
        expect(givenBack).toBe(0);
      }
    });

    it('makes the new owner wait for an evicted member still running a message, then skip it', async () => {
      const topic = await harness.createTopic('evicted', 1);
      const groupId = unique('evicted');
      await harness.produce(
        topic,
        Array.from({ length: 6 }, (_, i) => ({ value: `m${i}` })),
      );
      const ledger = new EffectLedger();
      let finishSlow!: () => void;
      const slowMayFinish = new Promise<void>((resolve) => (finishSlow = resolve));
      let slowStarted = false;
      const waitedFor: string[] = [];
      const options = { store, groupId, sessionTimeout: 6_000, heartbeatInterval: 300 };
      // A short rebalance timeout: the group evicts a member that does not rejoin in 2 s.
      const group = { groupId, topic, rebalanceTimeout: 2_000 };

      const first = await client.start({
        ...group,
        mode: {
          kind: 'batch',
          options: {
            ...options,
            handler: async ({ message }) => {
              if (message.offset === '2') {
                slowStarted = true;
                await slowMayFinish; // longer than the rebalance timeout
              }
              ledger.record(String(message.value));
            },
          },
        },
      });
      await eventually('the first member to be inside message 2', () => slowStarted);
      await client.start({
        ...group,
        mode: {
          kind: 'batch',
          options: {
            ...options,
            onEvent: (event) => event.type === 'in_progress' && waitedFor.push(event.key),
            handler: ({ message }) => ledger.record(String(message.value)),
          },
        },
      });
      // The first member loses the partition while still inside message 2 (kafkajs: it cannot
      // rejoin in time; a client that rejoins in the background is made to leave).
      await first.evict();
      await eventually(
        'the new owner to find message 2 still claimed',
        () => waitedFor.length > 0,
        45_000,
      );
      expect(ledger.has('m2')).toBe(false); // it waits; it does not run the message alongside
      finishSlow();
      await eventually(
        'the group to commit every message',
        () => harness.caughtUp(groupId, topic),
        60_000,
      );
      expect(waitedFor[0]).toBe(`${topic}/0/2`);
      expect(ledger.size).toBe(6);
      expect(ledger.repeated()).toEqual([]);
    });

    it('stops a partition at a poison message, and a deadLetter hook routes it on, once across a crash before the commit', async () => {
      const topic = await harness.createTopic('poison', 1);
      const deadLetterTopic = await harness.createTopic('poison-dlq', 1);
      const groupId = unique('poison');
      await harness.produce(topic, [
        { value: JSON.stringify({ id: 'a' }) },
        { value: JSON.stringify({ id: 'b' }) },
        { value: '{"id": not json' },
        { value: JSON.stringify({ id: 'c' }) },
      ]);
      const ledger = new EffectLedger();
      const options = {
        store,
        groupId,
        key: { field: 'id' },
        handler: ({ key }: { key: string }) => ledger.record(key),
      };

      const errors: unknown[] = [];
      const stuck = await client.start({
        groupId,
        topic,
        mode: { kind: 'batch', options },
        onError: (error) => errors.push(error),
      });
      await eventually('the member to retry the poison message', () => errors.length >= 2);
      expect(errors[0]).toBeInstanceOf(MessageKeyError);
      expect(errors[0]).toMatchObject({ problem: 'unparseable_value', offset: '2' });
      expect(ledger.keys()).toEqual([`${topic}/a`, `${topic}/b`]);
      // Nothing at or after the poison message is committed.
      await eventually('the commit before the poison message', async () => {
        return (await harness.committed(groupId, topic)).get(0) === 2;
      });
      await stuck.stop();
      expect((await harness.committed(groupId, topic)).get(0)).toBe(2);

      // The dead-letter pattern: produce the poison message elsewhere, with where it came from.
      const routing = {
        ...options,
        deadLetter: async ({ message, partition }: KeySource, error: MessageKeyError) => {
          await harness.produce(deadLetterTopic, [
            {
              value: message.value === null ? null : message.value.toString(),
              headers: {
                'oncely-source': `${topic}/${partition}/${message.offset}`,
                'oncely-error': error.problem,
              },
            },
          ]);
        },
      };
      const routingMode = { kind: 'batch', options: routing } as const;
      // A member that routes it and dies before committing: the next one must not route it again.
      const uncommitted = await client.start({ groupId, topic, commit: false, mode: routingMode });
      await eventually('the member to run past the poison message', () => ledger.size === 3);
      await uncommitted.stop();
      expect((await harness.committed(groupId, topic)).get(0)).toBe(2);
      expect((await harness.ends(deadLetterTopic)).get(0)).toBe(1);

      await client.start({ groupId, topic, mode: routingMode });
      await eventually('the group to move past the poison message', () =>
        harness.caughtUp(groupId, topic),
      );
      expect(ledger.keys()).toEqual([`${topic}/a`, `${topic}/b`, `${topic}/c`]);
      expect(ledger.repeated()).toEqual([]);
      expect((await harness.ends(deadLetterTopic)).get(0)).toBe(1);

      const inspectGroup = unique('dlq-reader');
      const deadLettered: { value: string; source: string; error: string }[] = [];
      await harness.consume(inspectGroup, deadLetterTopic, {
        eachMessage: async ({ message }) => {
          deadLettered.push({
            value: String(message.value),
            source: String(message.headers?.['oncely-source']),
            error: String(message.headers?.['oncely-error']),
          });
        },
      });
      await eventually('the dead-lettered message', () => deadLettered.length === 1);
      expect(deadLettered).toEqual([
        { value: '{"id": not json', source: `${topic}/0/2`, error: 'unparseable_value' },
      ]);
    });

    it('watermark mode: a member that dies before committing leaves its watermark, and the next skips what it ran', async () => {
      const topic = await harness.createTopic('watermark', 2);
      const groupId = unique('watermark');
      await harness.produce(
        topic,
        Array.from({ length: 30 }, (_, i) => ({ value: `m${i}`, partition: i % 2 })),
      );
      const watermarks = new MemoryWatermarkStore();
      const ledger = new EffectLedger();
      const watermarkMode = {
        kind: 'watermark',
        options: {
          watermarks,
          groupId,
          handler: ({ message }: KafkaMessageContext) => ledger.record(String(message.value)),
        },
      } as const;

      const crashed = await client.start({ groupId, topic, commit: false, mode: watermarkMode });
      await eventually('the first member to process all 30', () => ledger.size === 30);
      await crashed.stop();
      expect([...(await harness.committed(groupId, topic)).values()]).toEqual([-1, -1]);

      await client.start({ groupId, topic, mode: watermarkMode });
      await eventually('the second member to commit everything', () =>
        harness.caughtUp(groupId, topic),
      );
      expect(ledger.total).toBe(30);
      expect(ledger.repeated()).toEqual([]);
      expect((await watermarks.read(`kafka:${groupId}#@watermark/${topic}/0`))?.offset).toBe('14');
    });
  });
}
