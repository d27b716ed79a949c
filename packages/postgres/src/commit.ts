import { setTimeout as sleep } from 'node:timers/promises';
import { type CommitOptions, type CommitOutcome, committedRecord } from '@oncely/core';
import { writeIfFree } from './claim.js';
import { type StoreContext, unwrap } from './context.js';
import { EffectFailedError, InvalidEffectError } from './errors.js';
import { isRetryablePostgresError, postgresStoreError, sqlState } from './faults.js';
import type { PostgresPool, PostgresPoolClient, PostgresQueryable } from './pool.js';
import { isPostgresEffect, type PostgresEffect } from './transaction.js';

/**
 * A serialization failure or a deadlock means another transaction touched the same rows
 * at the same moment, and PostgreSQL rolled ours back whole: running it again is the
 * documented remedy. Often the other one was a copy of this delivery, whose record then
 * makes ours a duplicate.
 */
const CONFLICT_RETRIES = 2;
const CONFLICT_BACKOFF_MS = 20;
const CONFLICTS = new Set(['40001', '40P01']);

/**
 * Commits the COMPLETED record with the handler's effects, or writes nothing.
 *
 * With no effects it is the claim statement alone, writing COMPLETED (one query). With
 * effects, on one connection from the pool:
 *
 *     BEGIN ISOLATION LEVEL READ COMMITTED
 *     INSERT ... ON CONFLICT DO UPDATE ... WHERE free   -- the record, row lock held to COMMIT
 *     (taken: ROLLBACK, answer duplicate / in progress; no effect has run)
 *     effect 1, effect 2, ...
 *     COMMIT
 *
 * The row lock is what makes it once: a concurrent copy's INSERT waits on it, and after our
 * COMMIT finds the row COMPLETED (READ COMMITTED re-checks the conflict on the latest
 * committed version), so it rolls back without running its effects; after our ROLLBACK
 * (an effect failed, the connection died) the row is as before and the copy goes ahead.
 * READ COMMITTED is set explicitly: under REPEATABLE READ or SERIALIZABLE that copy would
 * fail with a serialization error instead of answering duplicate. Internal.
 */
export async function commitTransaction<Client extends PostgresPoolClient>(
  pool: PostgresPool<Client>,
  context: StoreContext,
  key: string,
  options: CommitOptions,
): Promise<CommitOutcome> {
  const effects = checkEffects<Client>(context, key, options.effects);
  const write = { record: committedRecord(key, options), now: options.now };
  if (effects.length === 0) {
    const [answer] = await writeIfFree(pool, context, 'commit', [write]);
    const value = unwrap(answer);
    return value.kind === 'written' ? { kind: 'committed', record: write.record } : value;
  }
  for (let attempt = 0; ; attempt++) {
    try {
      return await inTransaction<Client, CommitOutcome>(pool, context, key, async (client) => {
        const [answer] = await writeIfFree(client, context, 'commit', [write]);
        const value = unwrap(answer);
        if (value.kind !== 'written') return { outcome: value, commit: false };
        await runEffects(client, context, key, effects);
        return { outcome: { kind: 'committed', record: write.record }, commit: true };
      });
    } catch (error) {
      const state = sqlState((error as { cause?: unknown }).cause) ?? sqlState(error);
      if (attempt >= CONFLICT_RETRIES || state === undefined || !CONFLICTS.has(state)) throw error;
      await sleep(CONFLICT_BACKOFF_MS * 2 ** attempt * (0.5 + Math.random()));
    }
  }
}

function checkEffects<Client extends PostgresPoolClient>(
  context: StoreContext,
  key: string,
  effects: readonly unknown[],
): PostgresEffect<Client>[] {
  effects.forEach((effect, index) => {
    if (!isPostgresEffect(effect)) {
      throw new InvalidEffectError(
        `Store "${context.storeName}" cannot commit effect #${index} of key "${key}": add effects with store.transaction(ctx).query(...) or .run(...), not ctx.addEffect`,
        index,
        { storeKey: key },
      );
    }
  });
  return effects as PostgresEffect<Client>[];
}

async function runEffects<Client extends PostgresPoolClient>(
  client: Client,
  context: StoreContext,
  key: string,
  effects: readonly PostgresEffect<Client>[],
): Promise<void> {
  for (const [index, effect] of effects.entries()) {
    try {
      if (effect.kind === 'query') await client.query(effect.text, [...effect.values]);
      else await effect.work(client);
    } catch (cause) {
      const retryable = isRetryablePostgresError(cause);
      const reason = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
      throw new EffectFailedError(
        `Store "${context.storeName}" rolled back the commit of key "${key}": effect #${index} failed (${retryable ? 'retryable' : 'not retryable'}); neither the effects nor the record were written: ${reason}`,
        index,
        retryable,
        { storeKey: key, cause },
      );
    }
  }
}

/**
 * Runs `body` inside `BEGIN ISOLATION LEVEL READ COMMITTED` on one pooled connection,
 * and COMMITs or ROLLs BACK as it says. Any failure rolls back; a connection that failed
 * goes back to the pool as broken (`release(error)`), so the pool drops it. Internal.
 */
async function inTransaction<Client extends PostgresPoolClient, T>(
  pool: PostgresPool<Client>,
  context: StoreContext,
  key: string,
  body: (client: Client) => Promise<{ outcome: T; commit: boolean }>,
): Promise<T> {
  const fault = (error: unknown) =>
    postgresStoreError(error, { ...context, operation: 'commit', storeKey: key });
  let client: Client;
  try {
    client = await pool.connect();
  } catch (error) {
    throw fault(error);
  }
  let broken: Error | undefined;
  // The connection may fail while an effect awaits something else (no query in flight):
  // node-postgres then emits `error` on the client, which must be heard, or the process
  // ends. The next query on it fails, and the transaction is rolled back by the server.
  const onError = (error: Error) => {
    broken ??= error;
  };
  client.on?.('error', onError);
  try {
    await query(client, 'BEGIN ISOLATION LEVEL READ COMMITTED');
    const { outcome, commit } = await body(client);
    await query(client, commit ? 'COMMIT' : 'ROLLBACK');
    return outcome;
  } catch (error) {
    broken = (await rollBack(client, error)) ?? broken;
    throw fault(error);
  } finally {
    client.removeListener?.('error', onError);
    client.release(broken);
  }
}

async function query(client: PostgresQueryable, text: string): Promise<void> {
  await client.query(text);
}

/**
 * Rolls back after a failure. Returns the error to release the connection with when it
 * cannot be trusted any more (the ROLLBACK failed too: the connection is gone), so the
 * pool discards it instead of handing it out in an unknown state.
 */
async function rollBack(client: PostgresQueryable, cause: unknown): Promise<Error | undefined> {
  try {
    await client.query('ROLLBACK');
    return undefined;
  } catch {
    return cause instanceof Error ? cause : new Error(String(cause));
  }
}
