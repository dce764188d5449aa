// PostgreSQL for tests: the shared server on 127.0.0.1:5432 (trust auth, user postgres, database
// test). Every test file works in a schema of its own (uniqueSchema) and drops only that schema.
import { randomUUID } from 'node:crypto';
import pg from 'pg';

export const SHARED_DATABASE_URL = process.env['IDEMAUDIT_TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A schema name no other test (or engineer) uses: `idemaudit_test_<label>_<pid>_<random>`. */
export function uniqueSchema(label: string): string {
  return `idemaudit_test_${label.replace(/\W/g, '_')}_${process.pid}_${randomUUID().slice(0, 8)}`;
}

/** An admin pool on the shared database (the caller ends it). */
export function adminPool(url: string = SHARED_DATABASE_URL): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  pool.on('error', () => {});
  return pool;
}

/** Throws (it does not skip) when PostgreSQL does not answer. */
export async function requirePostgres(url: string = SHARED_DATABASE_URL): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (error) {
    throw new Error(`PostgreSQL is not answering at ${url}; these tests need it (${(error as Error).message})`);
  } finally {
    await client.end().catch(() => {});
  }
}

/** Drops one test schema (refuses anything that is not a test schema). */
export async function dropSchema(pool: pg.Pool, schema: string): Promise<void> {
  if (!schema.startsWith('idemaudit_test_')) throw new Error(`refusing to drop ${schema}: not a test schema`);
  await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
}
