import type { RunContext } from '@oncely/core';
import type { PostgresPoolClient } from './pool.js';

/** Marks the effects this package makes, so `commit` can refuse anything else. */
const EFFECT = Symbol.for('@oncely/postgres/effect');

/**
 * One piece of a handler's work that commits with its record: a statement, or a
 * function that gets the transaction's connection. Made by {@link PostgresTransaction};
 * `commit` refuses anything else.
 */
export type PostgresEffect<Client extends PostgresPoolClient = PostgresPoolClient> =
  | {
      readonly [EFFECT]: true;
      readonly kind: 'query';
      readonly text: string;
      readonly values: readonly unknown[];
    }
  | {
      readonly [EFFECT]: true;
      readonly kind: 'run';
      readonly work: (client: Client) => unknown;
    };

/**
 * The handler's side of transactional mode: work that runs inside the transaction oncely
 * opens to commit the key's COMPLETED record, so it lands exactly once with the record,
 * or not at all. Nothing runs when it is added: oncely runs it, in the order added, after
 * the handler returned and the record's row is locked and found free; a copy of the
 * delivery that finds the key completed rolls back before any of it runs. Each method
 * returns the transaction, so calls chain.
 *
 * @example
 * await deduper.run(event.id, (ctx) => {
 *   store
 *     .transaction(ctx)
 *     .query('INSERT INTO payments (id, amount) VALUES ($1, $2)', [event.id, event.amount])
 *     .run(async (client) => {
 *       const { rows } = await client.query('SELECT balance FROM accounts WHERE id = $1 FOR UPDATE', [event.account]);
 *       await client.query('UPDATE accounts SET balance = $2 WHERE id = $1', [event.account, rows[0].balance - event.amount]);
 *     });
 *   return { paid: event.amount };
 * });
 */
export interface PostgresTransaction<Client extends PostgresPoolClient = PostgresPoolClient> {
  /** Adds one statement, with `$1, $2, ...` parameters. */
  query(text: string, values?: readonly unknown[]): PostgresTransaction<Client>;
  /**
   * Adds a function that gets the transaction's connection: to read and write with it
   * (`SELECT ... FOR UPDATE`, then an `UPDATE`). What it returns is ignored; if it throws,
   * the transaction rolls back. Do only database work on `client`: it runs again on a
   * retry of the delivery, and a rolled-back call cannot take back anything else.
   */
  run(work: (client: Client) => Promise<unknown> | unknown): PostgresTransaction<Client>;
}

/** Wraps a run's context in the builder above. Internal: see `PostgresStore.transaction`. */
export function transactionOf<Client extends PostgresPoolClient>(
  context: Pick<RunContext, 'addEffect'>,
): PostgresTransaction<Client> {
  const transaction: PostgresTransaction<Client> = {
    query(text, values = []) {
      if (typeof text !== 'string' || text.length === 0) {
        throw new TypeError('PostgresTransaction.query takes a non-empty SQL string');
      }
      const effect: PostgresEffect<Client> = { [EFFECT]: true, kind: 'query', text, values };
      context.addEffect(effect);
      return transaction;
    },
    run(work) {
      if (typeof work !== 'function') {
        throw new TypeError('PostgresTransaction.run takes a function (client) => ...');
      }
      const effect: PostgresEffect<Client> = { [EFFECT]: true, kind: 'run', work };
      context.addEffect(effect);
      return transaction;
    },
  };
  return transaction;
}

/** Whether `value` is an effect made by {@link transactionOf}. Internal. */
export function isPostgresEffect(value: unknown): value is PostgresEffect<PostgresPoolClient> {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<symbol, unknown>)[EFFECT] === true
  );
}
