import type { DedupRecord } from '@oncely/core';
import { createTable, PostgresStore } from '@oncely/postgres';
import pg from 'pg';
import type { ListQuery, ListResult, Operator, StatsResult } from '../operator.js';
import { describeTarget, type PostgresTarget } from '../store-url.js';

/**
 * The PostgreSQL operator: `get` and `release` through `PostgresStore`, `list` as one
 * `SELECT ... WHERE` status / lease / expiry / key prefix in the database, `stats` as one
 * aggregate over at most the sample. Internal.
 */
export function postgresOperator(target: PostgresTarget): Operator {
  const pool = new pg.Pool({
    connectionString: target.connectionString,
    max: 2,
    connectionTimeoutMillis: 10_000,
  });
  pool.on('error', () => {}); // an idle connection that fails is dropped; the next query reports
  const { tableName, schema } = target;
  const store = new PostgresStore({ pool, tableName, schema });
  const table = schema === undefined ? quote(tableName) : `${quote(schema)}.${quote(tableName)}`;
  const shown = schema === undefined ? tableName : `${schema}.${tableName}`;

  return {
    target: describeTarget(target),
    get: (storeKey, now) => store.get(storeKey, { now }),
    release: (storeKey, token) => store.release(storeKey, token),

    async list(query: ListQuery): Promise<ListResult> {
      // One query in the database (its own scan, not bounded by --sample); one row more
      // than the limit tells whether more matched.
      const { rows } = await pool.query(
        `SELECT key, status, token, lease_until, expires_at, fingerprint FROM ${table}
          WHERE expires_at * 1000 > $1
            AND ($2::text IS NULL OR status = $2)
            AND (NOT $3::boolean OR lease_until <= $1)
            AND ($4::text IS NULL OR left(key, length($4)) = $4)
          ORDER BY key LIMIT $5`,
        [
          query.now,
          query.stuck ? 'IN_PROGRESS' : (query.status ?? null),
          query.stuck,
          query.prefix ?? null,
          query.limit + 1,
        ],
      );
      const records = rows.slice(0, query.limit).map(recordOf);
      return { records, scanned: records.length, complete: rows.length <= query.limit };
    },

    async stats(query, progress): Promise<StatsResult> {
      const { rows } = await pool.query(
        `SELECT count(*) AS scanned,
                count(*) FILTER (WHERE expires_at * 1000 <= $1) AS expired,
                count(*) FILTER (WHERE expires_at * 1000 > $1 AND status = 'COMPLETED') AS completed,
                count(*) FILTER (WHERE expires_at * 1000 > $1 AND status = 'IN_PROGRESS') AS in_progress,
                count(*) FILTER (WHERE expires_at * 1000 > $1 AND status = 'IN_PROGRESS' AND lease_until <= $1) AS stuck
           FROM (SELECT status, lease_until, expires_at FROM ${table}
                  WHERE $2::text IS NULL OR left(key, length($2)) = $2
                  LIMIT $3) AS sample`,
        [query.now, query.prefix ?? null, query.sample],
      );
      const row = rows[0] ?? {};
      const scanned = Number(row.scanned ?? 0);
      progress.advance(scanned);
      return {
        inProgress: Number(row.in_progress ?? 0),
        stuck: Number(row.stuck ?? 0),
        completed: Number(row.completed ?? 0),
        expired: Number(row.expired ?? 0),
        scanned,
        complete: scanned < query.sample,
      };
    },

    async createTable() {
      const { rows } = await pool.query('SELECT to_regclass($1) IS NOT NULL AS present', [table]);
      const existed = rows[0]?.present === true;
      await createTable(pool, { tableName, schema });
      return {
        created: !existed,
        detail: existed
          ? `PostgreSQL table "${shown}" exists`
          : `created PostgreSQL table "${shown}" with its expiry index`,
      };
    },

    async close() {
      await pool.end();
    },
  };
}

function quote(identifier: string): string {
  return `"${identifier.replace(/"/g, '""')}"`;
}

function recordOf(row: Record<string, unknown>): DedupRecord {
  const fingerprint = typeof row.fingerprint === 'string' ? row.fingerprint : undefined;
  return {
    key: String(row.key),
    status: row.status === 'COMPLETED' ? 'COMPLETED' : 'IN_PROGRESS',
    token: String(row.token),
    leaseUntil: Number(row.lease_until),
    expiresAt: Number(row.expires_at),
    ...(fingerprint === undefined ? {} : { fingerprint }),
  };
}
