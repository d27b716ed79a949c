import { setTimeout as sleep } from 'node:timers/promises';
import {
  createDeduper,
  InProgressError,
  LeaseLostError,
  OncelyError,
  StoreError,
} from '@oncely/core';
import { connectClient, type TestClient } from '@oncely/test-support/redis-clients';
import { type RedisServer, startRedisServer } from '@oncely/test-support/redis-server';
import { describeWithServers } from '@oncely/test-support/servers';
import { afterEach, describe, expect, it } from 'vitest';
import { type RedisScriptClient, RedisStore } from '../src/index.js';

const MESSAGES = 120;
const WORKERS = 4;
/** Acknowledgements before the server is killed, and how long it stays down. */
const KILL_AFTER_ACKS = 40;
const DOWN_MS = 400;
/** A bound on the whole run, so a stuck consumer fails the test instead of hanging it. */
const MAX_ATTEMPTS = 400;

/**
 * Wraps the store's client and notes every completion the server confirmed, so the test can
 * check that each acknowledgement came after its record was written.
 */
function confirming(inner: RedisScriptClient, confirmed: Set<string>): RedisScriptClient {
  return {
    ...inner,
    async runScripts(calls, mode) {
      const replies = await inner.runScripts(calls, mode);
      replies.forEach((reply, index) => {
        const call = calls[index];
        // The completion script is the one that sets status COMPLETED.
        if (reply.status !== 'fulfilled' || !call?.source.includes(`'status', 'COMPLETED'`)) return;
        // One reply per key of the call: `{'ok', ...}` for each key it completed.
        const perKey = Array.isArray(reply.value) ? reply.value : [];
        perKey.forEach((keyReply: unknown, position) => {
          if (Array.isArray(keyReply) && keyReply[0] === 'ok') {
            confirmed.add(call.keys[position] as string);
          }
        });
      });
      return replies;
    },
  };
}

/** What a failed delivery threw, checked: a typed oncely error that names the message. */
function classify(error: unknown, key: string): string {
  if (!(error instanceof OncelyError)) return `untyped: ${String(error)}`;
  if (error.key !== key || error.storeKey !== `crash#${key}`) return `no key: ${error.message}`;
  if (error instanceof StoreError) {
    return error.retryable && error.cause !== undefined
      ? `StoreError ${error.operation}`
      : `not retryable: ${error.message}`;
  }
  if (error instanceof LeaseLostError) return `LeaseLostError ${error.operation}`;
  if (error instanceof InProgressError) return 'InProgressError';
  return `unexpected: ${error.name}`;
}

/**
 * A private redis-server (no persistence) is SIGKILLed while four workers consume, then
 * restarted empty on the same port. Deliveries that fail are redelivered, as a queue
 * would. Nothing is acknowledged before its record is written, nothing is lost, every
 * failure is a typed error carrying the key; and since the restart forgot every record, a
 * message acknowledged before it runs again when it is redelivered.
 */
describeWithServers('RedisStore when the server is killed and restarted mid-run', () => {
  let server: RedisServer | undefined;
  let client: TestClient | undefined;
  afterEach(async () => {
    await client?.close();
    await server?.stop();
  });

  describe.each(['node-redis', 'ioredis'] as const)('on %s', (family) => {
    it('acknowledges only recorded messages, loses none, and forgets them on restart', async () => {
      server = await startRedisServer();
      const redis = server;
      client = await connectClient(family, redis.url, { failFast: true });
      const confirmed = new Set<string>();
      const store = new RedisStore({ client: confirming(client.scripts, confirmed) });
      const deduper = createDeduper({ store, namespace: 'crash', lease: '30s' });

      const effects = new Map<string, number>();
      const handler = (key: string) => async () => {
        effects.set(key, (effects.get(key) ?? 0) + 1);
        // Uneven and long enough that the other workers are inside their handlers at the
        // kill, so their completions meet a dead server, then an empty one.
        await sleep(2 + (Number(key.slice(2)) % 7));
        return key;
      };
      const pending = Array.from({ length: MESSAGES }, (_, index) => `m-${index}`);
      type Phase = 'before kill' | 'down' | 'after restart';
      // When each message was acknowledged. `down` (from the kill until the new server
      // answers) is ambiguous: a record confirmed by either server may be acknowledged then.
      const acked = new Map<string, Phase>();
      const failures = new Map<string, number>();
      const violations: string[] = [];
      let phase: Phase = 'before kill';
      let attempts = 0;
      let crash: Promise<void> | undefined;

      const deliver = async (key: string) => {
        attempts++;
        try {
          const outcome = await deduper.run(key, handler(key));
          if (outcome.status === 'processed' && !confirmed.has(`oncely:crash#${key}`)) {
            violations.push(`${key} acknowledged without a confirmed record`);
          }
          acked.set(key, phase);
          if (acked.size === KILL_AFTER_ACKS && !crash) {
            phase = 'down';
            crash = (async () => {
              await redis.kill();
              await sleep(DOWN_MS);
              await redis.start();
              phase = 'after restart';
            })();
          }
        } catch (error) {
          const kind = classify(error, key);
          failures.set(kind, (failures.get(kind) ?? 0) + 1);
          if (!/^(StoreError|LeaseLostError|InProgressError)/.test(kind)) violations.push(kind);
          await sleep(20); // the queue's redelivery delay
          pending.push(key);
        }
      };
      await Promise.all(
        Array.from({ length: WORKERS }, async () => {
          while (pending.length > 0 && attempts < MAX_ATTEMPTS) {
            await deliver(pending.shift() as string);
          }
        }),
      );
      await crash;

      expect(violations).toEqual([]);
      expect(pending).toEqual([]);
      expect(acked.size).toBe(MESSAGES);
      for (let index = 0; index < MESSAGES; index++) {
        expect(effects.get(`m-${index}`)).toBeGreaterThanOrEqual(1);
      }
      // The kill was felt: deliveries failed with the server down, as retryable StoreErrors.
      expect([...failures.keys()].some((kind) => kind.startsWith('StoreError'))).toBe(true);

      // Records written after the restart are there; those from before it are gone.
      const now = Date.now();
      const before = [...acked].filter(([, when]) => when === 'before kill').map(([key]) => key);
      const after = [...acked].filter(([, when]) => when === 'after restart').map(([key]) => key);
      expect(before).toHaveLength(KILL_AFTER_ACKS);
      expect(after.length).toBeGreaterThan(0);
      for (const key of after) {
        expect(await store.get(`crash#${key}`, { now })).toMatchObject({ status: 'COMPLETED' });
      }
      for (const key of before) expect(await store.get(`crash#${key}`, { now })).toBeUndefined();

      // So a redelivery of a message acknowledged before the crash runs its handler again,
      // while one acknowledged after the restart is still a duplicate.
      const forgotten = before[0] as string;
      const runsBefore = effects.get(forgotten) ?? 0;
      expect(await deduper.run(forgotten, handler(forgotten))).toMatchObject({
        status: 'processed',
      });
      expect(effects.get(forgotten)).toBe(runsBefore + 1);
      const remembered = after[0] as string;
      expect(await deduper.run(remembered, handler(remembered))).toMatchObject({
        status: 'duplicate',
      });
    });
  });
});
