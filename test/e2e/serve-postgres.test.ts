// `idemaudit serve --store postgres` and `idemaudit reference purge`, through the built binary:
// the bundled audit passes on the PostgreSQL store, its race flaw is caught, the purge deletes
// expired keys, and a missing or unreachable database is a usage error (2) or exit 3 without the
// URL's password in the output.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startServe } from '../helpers/cli.js';
import { adminPool, dropSchema, requirePostgres, SHARED_DATABASE_URL, uniqueSchema } from '../helpers/postgres.js';

let dir: string;
let admin: pg.Pool;
const schema = uniqueSchema('e2e');

beforeAll(async () => {
  await requirePostgres();
  dir = await mkdtemp(path.join(os.tmpdir(), 'idemaudit-e2e-pg-'));
  admin = adminPool();
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await dropSchema(admin, schema);
  await admin.end();
});

describe('serve --store postgres', () => {
  it('passes the bundled audit, keeps its keys in its schema, and its race flaw is caught', async () => {
    const good = await startServe(['--store', 'postgres', '--database-url', SHARED_DATABASE_URL, '--database-schema', schema, '--log-level', 'silent']);
    try {
      const r = await runCli(['run', 'scenarios/reference.yaml', '--target', good.url, '--report-dir', path.join(dir, 'pg-pass')]);
      expect(r.stdout).toContain('PASS:');
      expect(r.code).toBe(0);
    } finally {
      await good.stop();
    }
    const { rows } = await admin.query(`SELECT count(*)::int AS n FROM "${schema}".idempotency_keys WHERE route = '/payments'`);
    expect(rows[0].n).toBeGreaterThan(0);

    const racy = await startServe([
      '--store',
      'postgres',
      '--database-url',
      SHARED_DATABASE_URL,
      '--database-schema',
      schema,
      '--flaw',
      'race',
      '--log-level',
      'silent',
    ]);
    try {
      const r = await runCli([
        'run',
        'scenarios/reference.yaml',
        '--target',
        racy.url,
        '--only',
        'concurrent-duplicates',
        '--report-dir',
        path.join(dir, 'pg-race'),
      ]);
      expect(r.code).toBe(1);
    } finally {
      await racy.stop();
    }
  }, 120_000);

  it('reference purge deletes expired keys in bounded batches and leaves live ones', async () => {
    const table = `"${schema}".idempotency_keys`;
    await admin.query(
      `INSERT INTO ${table} (scope, key, status, fingerprint, lease_token, expires_at)
       SELECT 'purge-e2e', 'k' || i, 'in_progress', 'fp', nextval('"${schema}".idempotency_fence_seq'),
              CASE WHEN i <= 25 THEN clock_timestamp() - interval '1 minute' ELSE clock_timestamp() + interval '1 hour' END
         FROM generate_series(1, 30) AS i`,
    );
    const first = await runCli(['reference', 'purge', '--database-url', SHARED_DATABASE_URL, '--schema', schema, '--batch-size', '10', '--max-batches', '2']);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/purged \d+ expired keys from schema .* in 2 batches \(stopped at --max-batches 2/);
    const second = await runCli(['reference', 'purge', '--database-url', SHARED_DATABASE_URL, '--schema', schema]);
    expect(second.code).toBe(0);
    const { rows } = await admin.query(`SELECT count(*)::int AS n FROM ${table} WHERE scope = 'purge-e2e'`);
    expect(rows[0].n).toBe(5);
  }, 60_000);

  it('exit 2 without a database URL, exit 3 when unreachable, never printing the password', async () => {
    const missing = await runCli(['serve', '--store', 'postgres', '--port', '0'], { env: { ...process.env, DATABASE_URL: '' } });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--database-url is required/);
    const unreachable = await runCli(['reference', 'purge', '--database-url', 'postgres://app:s3cr3t-pw@127.0.0.1:1/app']);
    expect(unreachable.code).toBe(3);
    expect(unreachable.stderr).toMatch(/PostgreSQL is unreachable/);
    expect(unreachable.stdout + unreachable.stderr).not.toContain('s3cr3t-pw');
    expect(unreachable.stderr).not.toMatch(/\n\s+at /);
  }, 30_000);
});
