// The contract against the shared PostgreSQL on 127.0.0.1:5432, in a schema of this file's own
// (migrated by the first store, dropped at the end). Each test gets a fresh store on it.
import { afterAll, beforeAll, expect } from 'vitest';
import type pg from 'pg';
import { createPostgresStore } from '../../src/reference/store/postgres/index.js';
import { adminPool, dropSchema, requirePostgres, SHARED_DATABASE_URL, uniqueSchema } from '../helpers/postgres.js';
import { describeStoreContract } from './store-contract.js';

const schema = uniqueSchema('contract');
let admin: pg.Pool;

beforeAll(async () => {
  await requirePostgres();
  admin = adminPool();
});

afterAll(async () => {
  await dropSchema(admin, schema);
  const left = await admin.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
  expect(left.rowCount).toBe(0);
  await admin.end();
});

describeStoreContract('postgres', () => ({
  store: createPostgresStore({ connectionString: SHARED_DATABASE_URL, schema, purgeIntervalMs: 0 }),
}));
