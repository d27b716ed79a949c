/**
 * The little of node-postgres the store uses, as structural types: a `pg` `Pool` fits
 * them, and so does anything else with the same `query` and `connect` (a wrapper that
 * counts or traces queries, `pg-pool` on another driver). The package never imports
 * `pg` itself, so its types never depend on `@types/pg` either.
 */

/** What a query answers: its rows (and, when the driver says, how many it touched). */
export interface PostgresQueryResult {
  readonly rows: readonly Record<string, unknown>[];
  readonly rowCount?: number | null;
}

/**
 * Something that runs one SQL statement with `$1, $2, ...` parameters: a `pg` `Pool`,
 * `Client` or `PoolClient`.
 *
 * @example
 * const queryable: PostgresQueryable = new pg.Pool({ connectionString });
 */
export interface PostgresQueryable {
  query(text: string, values?: unknown[]): Promise<PostgresQueryResult>;
}

/**
 * A connection checked out of a pool: the transaction runs on it, then it goes back
 * with `release()` (or, after a connection error, `release(error)`, which discards it).
 *
 * @example
 * const client: PostgresPoolClient = await pool.connect();
 */
export interface PostgresPoolClient extends PostgresQueryable {
  release(error?: Error | boolean): void;
  /**
   * A `pg` client is an event emitter that emits `error` when its connection fails while
   * no query runs on it (a terminated backend, a reset); with no listener that would end
   * the process. The store listens while it holds the client, when it has this method.
   */
  on?(event: 'error', listener: (error: Error) => void): unknown;
  /** Removes the store's listener before the client goes back to the pool. */
  removeListener?(event: 'error', listener: (error: Error) => void): unknown;
}

/**
 * A connection pool: `query` for single statements (each on any free connection),
 * `connect` for a transaction, which needs one connection throughout. A `pg` `Pool`.
 *
 * @example
 * import pg from 'pg';
 * const pool: PostgresPool<pg.PoolClient> = new pg.Pool({ connectionString: process.env.DATABASE_URL });
 */
export interface PostgresPool<Client extends PostgresPoolClient = PostgresPoolClient>
  extends PostgresQueryable {
  connect(): Promise<Client>;
  /**
   * Only for type inference, never called: `pg`'s `Pool.connect` is overloaded (a promise,
   * then a callback form), and TypeScript infers from overloads pairwise from the last,
   * so this second signature lines `Promise<Client>` up with `Promise<PoolClient>`: a
   * `pg` `Pool` makes `Client` its `PoolClient`. Any `connect` satisfies it.
   */
  connect(callback: never): unknown;
}
