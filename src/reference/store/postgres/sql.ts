// The statements of the PostgreSQL store, for one schema. Every request-path statement is a single
// round trip addressed by the primary key (scope, key). Times are the database's clock_timestamp(),
// so application servers with skewed clocks agree on when a lease or a retention ends.
// Parameters in ms: 0 (lease) means "never expires", -1 (retention) means "keep for ever".
import { quoteIdent } from './text.js';

export interface Statements {
  begin: string;
  lookup: string;
  complete: string;
  dropCompleted: string;
  release: string;
  extend: string;
  forget: string;
  purgeBatch: string;
  storageByRoute: string;
}

const LIVE = '(expires_at IS NULL OR expires_at > clock_timestamp())';
const AFTER = (ms: string) => `CASE WHEN ${ms}::bigint > 0 THEN clock_timestamp() + ${ms}::bigint * interval '1 millisecond' END`;

export function statements(schema: string): Statements {
  const table = `${quoteIdent(schema)}.idempotency_keys`;
  const sequence = `${quoteIdent(schema)}.idempotency_fence_seq`;
  return {
    // Claim-or-read in one statement, read first. `live` reads the row; only when there is none does
    // the INSERT produce a row to insert (a new key) or, on conflict with an expired row, take that
    // row over in place (the DO UPDATE ... WHERE). A replay or an in-flight duplicate therefore
    // writes and locks nothing: a read-only statement, no WAL flush at commit (measured in
    // test/bench/postgres-claim.mjs: an upsert that always locks the row was 2-3x slower on replays).
    // A claim racing a concurrent first insert of the same key sees neither (its snapshot predates
    // that row, and the upsert finds it live): no row comes back and the caller asks again with
    // `lookup` (a new snapshot). $1 scope, $2 key, $3 fingerprint, $4 lease ms, $5 owner, $6 route.
    begin: `
WITH live AS (
  SELECT status, fingerprint = $3 AS same, CASE WHEN fingerprint = $3 THEN response END AS response
    FROM ${table} WHERE scope = $1 AND key = $2 AND ${LIVE}
), claimed AS (
  INSERT INTO ${table} AS t (scope, key, route, status, fingerprint, lease_token, lease_owner, created_at, expires_at)
  SELECT $1, $2, $6, 'in_progress', $3, nextval('${sequence}'), $5, clock_timestamp(), ${AFTER('$4')}
   WHERE NOT EXISTS (SELECT 1 FROM live)
  ON CONFLICT (scope, key) DO UPDATE
    SET route = EXCLUDED.route, status = 'in_progress', fingerprint = EXCLUDED.fingerprint,
        lease_token = EXCLUDED.lease_token, lease_owner = EXCLUDED.lease_owner, response = NULL,
        created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at
    WHERE t.expires_at <= clock_timestamp()
  RETURNING lease_token
)
SELECT 'new' AS status, true AS same, lease_token::text AS token, NULL::bytea AS response FROM claimed
UNION ALL
SELECT status, same, NULL, response FROM live`,
    // $1 scope, $2 key, $3 fingerprint.
    lookup: `
SELECT status, fingerprint = $3 AS same, CASE WHEN fingerprint = $3 THEN response END AS response
  FROM ${table} WHERE scope = $1 AND key = $2 AND ${LIVE}`,
    // Fenced by the token, and only while the lease holds. $1 scope, $2 key, $3 token, $4 envelope, $5 retention ms.
    complete: `
UPDATE ${table} SET status = 'completed', response = $4, lease_owner = NULL, expires_at = ${AFTER('$5')}
 WHERE scope = $1 AND key = $2 AND status = 'in_progress' AND lease_token = $3 AND ${LIVE}`,
    // complete with retention 0: nothing to keep, the key is free at once. $1 scope, $2 key, $3 token.
    dropCompleted: `
DELETE FROM ${table} WHERE scope = $1 AND key = $2 AND status = 'in_progress' AND lease_token = $3 AND ${LIVE}`,
    release: `
DELETE FROM ${table} WHERE scope = $1 AND key = $2 AND status = 'in_progress' AND lease_token = $3 AND ${LIVE}`,
    // $1 scope, $2 key, $3 token, $4 lease ms.
    extend: `
UPDATE ${table} SET expires_at = ${AFTER('$4')}
 WHERE scope = $1 AND key = $2 AND status = 'in_progress' AND lease_token = $3 AND ${LIVE}`,
    forget: `DELETE FROM ${table} WHERE scope = $1 AND key = $2`,
    // One bounded batch of expired rows, oldest first through the partial index on expires_at.
    // SKIP LOCKED: rows a claim is taking over right now are left for the next run, so the purge
    // never waits on (or blocks) the request path. $1 batch size.
    purgeBatch: `
DELETE FROM ${table} WHERE (scope, key) IN (
  SELECT scope, key FROM ${table}
   WHERE expires_at <= clock_timestamp()
   ORDER BY expires_at
   LIMIT $1
   FOR UPDATE SKIP LOCKED)`,
    // Live rows and their stored bytes per route and status (a full scan: for dashboards at scrape
    // intervals, not for the request path).
    storageByRoute: `
SELECT coalesce(route, '') AS route, status, count(*)::bigint AS keys, coalesce(sum(octet_length(response)), 0)::bigint AS bytes
  FROM ${table} WHERE ${LIVE}
 GROUP BY 1, 2 ORDER BY 1, 2`,
  };
}
