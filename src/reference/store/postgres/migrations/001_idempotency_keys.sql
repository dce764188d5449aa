-- Migration 001: the idempotency key table of the PostgreSQL store.
-- Applied by src/reference/store/postgres/migrate.ts with search_path set to the store's schema, in
-- one transaction under an advisory lock, and recorded in idemaudit_schema_migrations. Ship-ready
-- for other migration tools too: it uses unqualified names only.
--
-- One row per (scope, key). `scope` is the tenant part of the layer's store key (the text before
-- its first ':'), `key` the rest; both are stored as escaped text (see text.ts), COLLATE "C" so
-- that comparisons are byte-wise and the b-tree needs no locale rules.
--
-- Life of a row:
--   in_progress  claimed; lease_token (fencing token) and lease_owner name the holder, expires_at is
--                the end of the lease (NULL: never). complete/release/extend must present the token.
--   completed    response holds the envelope to replay; expires_at is the end of retention (NULL: kept
--                for ever). lease_token stays as a record of which claim completed it.
-- A row whose expires_at has passed is a free key: the next claim takes it over in place, and the
-- purge deletes it.

CREATE SEQUENCE idempotency_fence_seq AS bigint;

CREATE TABLE idempotency_keys (
  scope        text COLLATE "C" NOT NULL,
  key          text COLLATE "C" NOT NULL,
  -- Route pattern of the endpoint (bounded set), for storage growth per endpoint. NULL: unknown.
  route        text,
  status       text NOT NULL CHECK (status IN ('in_progress', 'completed')),
  -- Request fingerprint (method, path and body hash): a reuse with another payload is a mismatch.
  fingerprint  text COLLATE "C" NOT NULL,
  -- Fencing token of the current (or completing) claim: a fresh value of idempotency_fence_seq per
  -- claim, so it only grows, even across purges; a stale holder's token never matches again.
  lease_token  bigint NOT NULL,
  -- Who holds the lease (host:pid), for operators; NULL once completed.
  lease_owner  text,
  -- Response envelope: a JSON line {"status":..,"headers":{..}}, a newline, then the body bytes.
  response     bytea,
  created_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
  expires_at   timestamptz,
  -- Every claim, completion, release and heartbeat is a point lookup or upsert on (scope, key):
  -- the primary key is the ON CONFLICT arbiter of the one-statement claim and the only index on the
  -- request path.
  PRIMARY KEY (scope, key),
  CHECK (status = 'in_progress' OR response IS NOT NULL)
);

-- The purge deletes rows with expires_at <= now() in batches, oldest first: this index lets each
-- batch find them without scanning the table. Partial, because rows that never expire (retention
-- or lease "forever") are never purged and need not be indexed.
CREATE INDEX idempotency_keys_expires_at ON idempotency_keys (expires_at) WHERE expires_at IS NOT NULL;
