-- The table of @oncely/postgres, for migration tools (Flyway, Liquibase, node-pg-migrate,
-- plain psql). The same definition as createTable(pool, { tableName: 'oncely_dedup' }).
-- Rename the table (and its index) or add a schema to fit your database, then pass the
-- same names to new PostgresStore({ pool, tableName, schema }).
--
--   key          the store key (namespace#key, hashed when over 1 KiB); "C": byte order
--   status       IN_PROGRESS while a handler holds the key, COMPLETED after
--   token        the owner token that fences complete, release and extend
--   lease_until  epoch ms: until when an IN_PROGRESS owner holds the key
--   expires_at   epoch seconds: end of the dedup window; an expired record counts as absent
--   fingerprint  optional payload hash that must match on a duplicate
--   result       optional stored result, replayed to duplicates

CREATE TABLE IF NOT EXISTS oncely_dedup (
  key text COLLATE "C" PRIMARY KEY,
  status text NOT NULL CHECK (status IN ('IN_PROGRESS', 'COMPLETED')),
  token text NOT NULL,
  lease_until bigint NOT NULL,
  expires_at bigint NOT NULL,
  fingerprint text,
  result text
);

-- sweep() deletes expired records in chunks by this index.
CREATE INDEX IF NOT EXISTS oncely_dedup_expires_at_idx ON oncely_dedup (expires_at);
