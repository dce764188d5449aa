// The PostgreSQL store's claim statement vs two alternatives, on the same table:
//   read-first     (what the store ships, src/reference/store/postgres/sql.ts) one statement: read the
//                  live row; only without one, INSERT ... ON CONFLICT DO UPDATE ... WHERE expired
//   upsert-lock    one statement: always INSERT ... ON CONFLICT DO UPDATE ... WHERE expired, UNION ALL
//                  the row (the store's first version: the upsert locks the row even on a replay)
//   two-step       INSERT ... ON CONFLICT DO NOTHING RETURNING, and when nothing returns, a SELECT
// for new keys (every claim inserts) and for replays (every claim finds a completed row).
// Usage: npm run build && node test/bench/postgres-claim.mjs [--ops 4000] [--concurrency 10]
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { createPostgresStore } from '../../dist/reference/index.js';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const OPS = arg('ops', 4000);
const CONCURRENCY = arg('concurrency', 10);
const URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `idemaudit_test_bench_${process.pid}`;

const store = createPostgresStore({ connectionString: URL, schema, purgeIntervalMs: 0, poolConfig: { max: CONCURRENCY } });
await store.ready();
const pool = new pg.Pool({ connectionString: URL, max: CONCURRENCY });
const table = `"${schema}".idempotency_keys`;
const seq = `"${schema}".idempotency_fence_seq`;

async function twoStep(key) {
  const inserted = await pool.query({
    name: 'bench_two_step_insert',
    text: `INSERT INTO ${table} (scope, key, status, fingerprint, lease_token, expires_at)
           VALUES ('b', $1, 'in_progress', 'fp', nextval('${seq}'), clock_timestamp() + interval '30 seconds')
           ON CONFLICT (scope, key) DO NOTHING RETURNING lease_token`,
    values: [key],
  });
  if (inserted.rowCount === 1) return 1;
  const row = await pool.query({
    name: 'bench_two_step_read',
    text: `SELECT status, fingerprint = 'fp' AS same, response FROM ${table} WHERE scope = 'b' AND key = $1`,
    values: [key],
  });
  return row.rowCount === 1 ? 2 : 0;
}
const oneStatement = (key) => store.begin(`b:${key}`, 'fp', { leaseMs: 30_000 });
const UPSERT_LOCK = `
WITH claimed AS (
  INSERT INTO ${table} AS t (scope, key, status, fingerprint, lease_token, created_at, expires_at)
  VALUES ('b', $1, 'in_progress', 'fp', nextval('${seq}'), clock_timestamp(), clock_timestamp() + interval '30 seconds')
  ON CONFLICT (scope, key) DO UPDATE SET status = 'in_progress', lease_token = EXCLUDED.lease_token, response = NULL, expires_at = EXCLUDED.expires_at
    WHERE t.expires_at <= clock_timestamp()
  RETURNING lease_token
)
SELECT 'new' AS status, lease_token::text AS token, NULL::bytea AS response FROM claimed
UNION ALL
SELECT status, NULL, response FROM ${table} WHERE scope = 'b' AND key = $1 AND (expires_at IS NULL OR expires_at > clock_timestamp()) AND NOT EXISTS (SELECT 1 FROM claimed)`;
const upsertLock = (key) => pool.query({ name: 'bench_upsert_lock', text: UPSERT_LOCK, values: [key] });

async function run(label, claim, keys) {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < keys.length) await claim(keys[next++]);
    }),
  );
  const ms = performance.now() - started;
  return { label, opsPerSecond: Math.round((keys.length / ms) * 1000), usPerOp: Math.round((ms * 1000) / keys.length) };
}

// Warm-up: open every pooled connection of both pools and prepare the statements before measuring.
for (const [tag, claim] of [
  ['w1', oneStatement],
  ['w2', upsertLock],
  ['w3', twoStep],
]) {
  await run(
    'warm-up',
    claim,
    Array.from({ length: 200 }, (_, i) => `${tag}-${i}`),
  );
}
const ROUNDS = arg('rounds', 3);
const rows = [];
for (let round = 0; round < ROUNDS; round++) {
  const fresh = (tag) => Array.from({ length: OPS }, (_, i) => `${tag}-${round}-${i}`);
  rows.push({ ...(await run('new keys, read-first (shipped)', oneStatement, fresh('one'))), round });
  rows.push({ ...(await run('new keys, upsert-lock', upsertLock, fresh('lock'))), round });
  rows.push({ ...(await run('new keys, two-step', twoStep, fresh('two'))), round });
  // Replays: complete one key per claim first, then claim it again.
  const done = fresh('done');
  for (const key of done) {
    const begun = await store.begin(`b:${key}`, 'fp', { leaseMs: 30_000 });
    if (begun.kind === 'new') await store.complete(`b:${key}`, begun.token, { status: 201, headers: {}, bodyBase64: 'e30=' }, 600_000);
  }
  rows.push({ ...(await run('replays, read-first (shipped)', oneStatement, done)), round });
  rows.push({ ...(await run('replays, upsert-lock', upsertLock, done)), round });
  rows.push({ ...(await run('replays, two-step', twoStep, done)), round });
}
console.table(rows);
const median = (values) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)];
const labels = [...new Set(rows.map((row) => row.label))];
console.table(labels.map((label) => ({ label, medianOpsPerSecond: median(rows.filter((r) => r.label === label).map((r) => r.opsPerSecond)) })));
await pool.query(`DROP SCHEMA "${schema}" CASCADE`);
await pool.end();
await store.close();
