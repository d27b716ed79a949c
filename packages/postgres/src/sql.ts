/**
 * The store's SQL, built once per table. Every write is one statement that carries its
 * own condition, so no statement reads before it writes, and every statement takes
 * arrays (`unnest`), so one key and a hundred cost the same single round trip.
 *
 * Column names are fixed (see `createTable`): only the table's name varies.
 */

/** The record's columns, in the order every statement returns them. */
const RECORD = ['key', 'status', 'token', 'lease_until', 'expires_at', 'fingerprint', 'result'];

/** `s.key, s.status, ...`: the record's columns of one alias. */
function columns(alias: string): string {
  return RECORD.map((column) => `${alias}.${column}`).join(', ');
}

/**
 * The record's columns from `done` when the write happened, else from `s`, the record
 * as the statement's snapshot saw it (for the `current` of a refused write). `s` is
 * joined only when `done` is missing, so `COALESCE` never mixes the two.
 */
function doneOrSnapshot(): string {
  return RECORD.map((column) => `COALESCE(d.${column}, s.${column}) AS ${column}`).join(', ');
}

/** The statements of one table. Internal. */
export interface Statements {
  /**
   * Claims many keys (distinct) in one `INSERT ... ON CONFLICT DO UPDATE ... WHERE`,
   * parameters: key, status, token, lease_until, expires_at, fingerprint, result, now
   * (arrays). Returns per key `replaced` (null: not written; false: inserted; true: took
   * over a record) and the record as the statement's snapshot saw it.
   */
  readonly claim: string;
  /** Completes records fenced by token; parameters key, token, expires_at, result (arrays). */
  readonly complete: string;
  /** Deletes records fenced by token; parameters key, token (arrays). */
  readonly release: string;
  /** Moves an IN_PROGRESS lease fenced by token; parameters key, token, lease_until (arrays). */
  readonly extend: string;
  /** Reads records; parameter: keys (array). */
  readonly read: string;
  /** Deletes one record unconditionally; parameter: key. */
  readonly delete: string;
  /** Deletes up to `$2` records expired at `$1` (epoch seconds); answers their count. */
  readonly sweep: string;
}

/** Builds the statements for `table` (quoted, maybe schema-qualified). Internal. */
export function buildStatements(table: string): Statements {
  // Claimable, as core's isClaimable: the window is over (expires_at * 1000 <= now), or
  // the record is IN_PROGRESS and its lease is over (lease_until <= now). `now` is each
  // item's own (the caller's clock), looked up by the conflicting key.
  const now = '(SELECT i.now FROM input AS i WHERE i.key = EXCLUDED.key)';
  const claimable = `r.expires_at * 1000 <= ${now} OR (r.status = 'IN_PROGRESS' AND r.lease_until <= ${now})`;
  const assign = RECORD.slice(1)
    .map((column) => `${column} = EXCLUDED.${column}`)
    .join(', ');
  // Why this is race-free without a read first, under READ COMMITTED:
  // - The INSERT either inserts the key or meets the existing row; ON CONFLICT then
  //   locks that row (also when the WHERE turns out false) and evaluates the WHERE on its
  //   latest committed version, not on the snapshot, after waiting for any transaction
  //   that holds it. Two claims of one key are therefore serialized on the row, and only
  //   one can find it claimable: exactly one winner.
  // - `xmax <> 0` on the returned row tells a takeover (an update) from an insert.
  // - The record reported back (`s`) is a join in the same statement, so it is the
  //   statement's snapshot: the previous owner's record on a takeover, the record that
  //   holds the key when refused. Only when the holder committed after the snapshot is
  //   it missing (or still claimable, so it cannot explain the refusal); the store then
  //   reads the key again and classifies it, or claims again if it has become free.
  //   (PostgreSQL 15 has no RETURNING OLD, and a sub-select sees the same snapshot.)
  // Keys are inserted in sorted order, so two batches lock shared keys in the same
  // order and cannot deadlock each other.
  const claim = `WITH input AS (
  SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::text[], $7::text[], $8::bigint[])
    AS i(key, status, token, lease_until, expires_at, fingerprint, result, now)
), claimed AS (
  INSERT INTO ${table} AS r (${RECORD.join(', ')})
  SELECT ${RECORD.join(', ')} FROM input ORDER BY key
  ON CONFLICT (key) DO UPDATE SET ${assign}
  WHERE ${claimable}
  RETURNING r.key, r.xmax::text <> '0' AS replaced
)
SELECT i.key AS input_key, c.replaced, ${columns('s')}
FROM input AS i LEFT JOIN claimed AS c ON c.key = i.key LEFT JOIN ${table} AS s ON s.key = i.key`;

  // A fenced write: `done` holds the records written (their token matched); for the
  // others the snapshot's record, if any, says who holds the key now.
  const fenced = (input: string, write: string) => `WITH input AS (
  ${input}
), done AS (
  ${write}
)
SELECT i.ord, d.key IS NOT NULL AS ok, ${doneOrSnapshot()}
FROM input AS i LEFT JOIN done AS d ON d.key = i.key AND d.token = i.token
LEFT JOIN ${table} AS s ON s.key = i.key AND d.key IS NULL
ORDER BY i.ord`;

  const complete = fenced(
    'SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[]) WITH ORDINALITY AS i(key, token, expires_at, result, ord)',
    // A completion without a result keeps the one stored (none, for a claim), and only
    // then reads it back: a result just sent is not sent back.
    `UPDATE ${table} AS r SET status = 'COMPLETED', expires_at = i.expires_at, result = COALESCE(i.result, r.result)
  FROM input AS i WHERE r.key = i.key AND r.token = i.token
  RETURNING ${RECORD.slice(0, -1)
    .map((column) => `r.${column}`)
    .join(', ')}, CASE WHEN i.result IS NULL THEN r.result END AS result`,
  );
  const release = fenced(
    'SELECT * FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS i(key, token, ord)',
    `DELETE FROM ${table} AS r USING input AS i WHERE r.key = i.key AND r.token = i.token
  RETURNING ${columns('r')}`,
  );
  const extend = fenced(
    'SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[]) WITH ORDINALITY AS i(key, token, lease_until, ord)',
    `UPDATE ${table} AS r SET lease_until = i.lease_until
  FROM input AS i WHERE r.key = i.key AND r.token = i.token AND r.status = 'IN_PROGRESS'
  RETURNING ${columns('r')}`,
  );
  return {
    claim,
    complete,
    release,
    extend,
    read: `SELECT ${RECORD.join(', ')} FROM ${table} WHERE key = ANY($1::text[])`,
    delete: `DELETE FROM ${table} WHERE key = $1`,
    // SKIP LOCKED: a row a claim or commit holds right now is left for the next chunk,
    // so a sweep never waits on (or deadlocks with) the hot path. FOR UPDATE re-checks
    // the condition on the latest version, so a record renewed meanwhile is kept.
    sweep: `DELETE FROM ${table} WHERE key IN (
  SELECT key FROM ${table} WHERE expires_at <= $1 ORDER BY expires_at LIMIT $2 FOR UPDATE SKIP LOCKED
)`,
  };
}
