// What the PostgreSQL store does beyond the shared contract: its migrations, the row it writes, the
// bounded purge, storage per route, and completion inside the handler's own transaction.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { createIdempotencyLayer, type ResponseEnvelope } from '../../../src/reference/index.js';
import {
  ClaimLostError,
  createPostgresStore,
  migrate,
  migrations,
  NoActiveClaimError,
  type PostgresStore,
} from '../../../src/reference/store/postgres/index.js';
import { adminPool, dropSchema, requirePostgres, SHARED_DATABASE_URL, uniqueSchema } from '../../helpers/postgres.js';

const schema = uniqueSchema('pgstore');
let admin: pg.Pool;
const stores: PostgresStore[] = [];

function newStore(options: Parameters<typeof createPostgresStore>[0] = {}): PostgresStore {
  const store = createPostgresStore({ connectionString: SHARED_DATABASE_URL, schema, purgeIntervalMs: 0, ...options });
  stores.push(store);
  return store;
}

beforeAll(async () => {
  await requirePostgres();
  admin = adminPool();
});

afterAll(async () => {
  for (const store of stores) await store.close();
  await dropSchema(admin, schema);
  await admin.end();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const RESPONSE = { status: 201, headers: { 'content-type': 'application/json' }, bodyBase64: Buffer.from('{"id":1}').toString('base64') };

describe('PostgreSQL store', () => {
  it('migrates once, also when several stores start together, and records each version', async () => {
    const racing = Array.from({ length: 4 }, () => newStore());
    await Promise.all(racing.map((store) => store.ready()));
    const applied = await admin.query(`SELECT version FROM "${schema}".idemaudit_schema_migrations ORDER BY version`);
    expect(applied.rows.map((row) => row.version)).toEqual(migrations().map((m) => m.version));
    const client = await admin.connect();
    try {
      expect(await migrate(client, schema)).toEqual([]);
    } finally {
      client.release();
    }
    const indexes = await admin.query(
      "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = $1 AND tablename = 'idempotency_keys' ORDER BY indexname",
      [schema],
    );
    expect(indexes.rows.map((row) => row.indexname)).toEqual(['idempotency_keys_expires_at', 'idempotency_keys_pkey']);
    expect(indexes.rows[0].indexdef).toMatch(/WHERE \(expires_at IS NOT NULL\)/);
  });

  it('writes one row per (scope, key) with status, fingerprint, fencing token, owner, route and envelope', async () => {
    const store = newStore({ owner: 'test-owner' });
    const begun = await store.begin('tenant-a:order-1', 'fp', { leaseMs: 30_000, route: '/orders' });
    if (begun.kind !== 'new') throw new Error(begun.kind);
    const row = async () => (await admin.query(`SELECT * FROM "${schema}".idempotency_keys WHERE scope = 'tenant-a' AND key = 'order-1'`)).rows[0];
    expect(await row()).toMatchObject({
      status: 'in_progress',
      fingerprint: 'fp',
      lease_token: begun.token,
      lease_owner: 'test-owner',
      route: '/orders',
      response: null,
    });
    expect(await store.complete('tenant-a:order-1', begun.token, RESPONSE, 60_000)).toBe(true);
    const done = await row();
    expect(done).toMatchObject({ status: 'completed', lease_owner: null });
    expect(done.response.toString()).toBe('{"status":201,"headers":{"content-type":"application/json"}}\n{"id":1}');
    expect(done.expires_at.getTime() - done.created_at.getTime()).toBeGreaterThan(59_000);

    // Fencing tokens only grow, also across a purge of the row.
    const again = await store.begin('tenant-a:order-2', 'fp', { leaseMs: 30_000 });
    if (again.kind !== 'new') throw new Error(again.kind);
    expect(BigInt(again.token)).toBeGreaterThan(BigInt(begun.token));
  });

  it('purges expired rows in bounded batches and leaves live ones', async () => {
    const store = newStore({ purgeBatchSize: 10, purgeMaxBatches: 2 });
    const prefix = `purge-${Date.now()}`;
    for (let i = 0; i < 25; i++) await store.begin(`${prefix}:expired-${i}`, 'fp', { leaseMs: 1 });
    const live = await store.begin(`${prefix}:live`, 'fp', { leaseMs: 30_000 });
    expect(live.kind).toBe('new');
    await sleep(20);
    const count = async () => Number((await admin.query(`SELECT count(*) FROM "${schema}".idempotency_keys WHERE scope = $1`, [prefix])).rows[0].count);
    expect(await count()).toBe(26);
    const first = await store.purgeExpired();
    expect(first).toMatchObject({ batches: 2, truncated: true });
    expect(first.deleted).toBeGreaterThanOrEqual(20);
    const second = await store.purgeExpired();
    expect(second.truncated).toBe(false);
    expect(await count()).toBe(1);
    expect(await store.lookup(`${prefix}:live`, 'fp')).toEqual({ kind: 'in-flight' });
  });

  it('reports live keys and bytes per route and status', async () => {
    const store = newStore();
    const route = `/storage-${Date.now()}`;
    for (let i = 0; i < 3; i++) {
      const begun = await store.begin(`s:${route}-${i}`, 'fp', { leaseMs: 30_000, route });
      if (begun.kind === 'new' && i < 2) await store.complete(`s:${route}-${i}`, begun.token, RESPONSE, 60_000);
    }
    const mine = (await store.storageByRoute()).filter((entry) => entry.route === route);
    const envelopeBytes = Buffer.byteLength('{"status":201,"headers":{"content-type":"application/json"}}\n{"id":1}');
    expect(mine).toEqual([
      { route, status: 'completed', keys: 2, bytes: 2 * envelopeBytes },
      { route, status: 'in_progress', keys: 1, bytes: 0 },
    ]);
  });

  it('fails closed with StoreUnavailableError when PostgreSQL cannot be reached', async () => {
    const store = createPostgresStore({ connectionString: 'postgres://postgres@127.0.0.1:1/test', schema, timeoutMs: 300, purgeIntervalMs: 0 });
    stores.push(store);
    await expect(store.begin('x:y', 'fp', { leaseMs: 1000 })).rejects.toMatchObject({ name: 'StoreUnavailableError' });
  });

  describe('completeInTransaction', () => {
    const envelope: ResponseEnvelope = { status: 201, headers: { 'content-type': 'application/json', 'set-cookie': 's=1' }, body: Buffer.from('{"id":"tx"}') };

    it('completes the key in the handler transaction: committed, the layer does not complete it again', async () => {
      const store = newStore();
      const events: string[] = [];
      const layer = createIdempotencyLayer({ store, scope: 'global', transactionalCompletion: true, onEvent: (e) => events.push(e.type) });
      const request = { method: 'POST', path: '/tx', headers: { 'idempotency-key': `"tx-${Date.now()}"` }, body: Buffer.from('{}') };
      let runs = 0;
      const execute = async () => {
        runs += 1;
        const client = await store.pool.connect();
        try {
          await client.query('BEGIN');
          await store.completeInTransaction(client, envelope);
          await client.query('COMMIT');
        } finally {
          client.release();
        }
        return envelope;
      };
      expect((await layer.handle(request, execute)).status).toBe(201);
      const replay = await layer.handle(request, execute);
      expect(runs).toBe(1);
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect(replay.body.toString()).toBe('{"id":"tx"}');
      expect(replay.headers['set-cookie']).toBeUndefined();
      expect(events).not.toContain('settle-failed');
    });

    it('a rolled back transaction is never replayed: the key stays in flight until its lease ends', async () => {
      const store = newStore();
      const layer = createIdempotencyLayer({ store, scope: 'global', transactionalCompletion: true });
      const request = { method: 'POST', path: '/tx', headers: { 'idempotency-key': `"rb-${Date.now()}"` }, body: Buffer.from('{}') };
      const execute = async () => {
        const client = await store.pool.connect();
        try {
          await client.query('BEGIN');
          await store.completeInTransaction(client, envelope);
          await client.query('ROLLBACK');
        } finally {
          client.release();
        }
        return { ...envelope, status: 200 };
      };
      await layer.handle(request, execute);
      // The flag says "completed in the transaction", but it rolled back: the key stays in flight
      // until its lease ends (never a replay of something that did not commit).
      const again = await layer.handle(request, execute);
      expect(again.status).toBe(409);
    });

    it('refuses a claim whose lease expired and was taken over (ClaimLostError), so the stale transaction rolls back', async () => {
      const store = newStore();
      const key = `stale-${Date.now()}`;
      const layerA = createIdempotencyLayer({ store, scope: 'global', leaseMs: 60_000, transactionalCompletion: true });
      const request = { method: 'POST', path: '/tx', headers: { 'idempotency-key': `"${key}"` }, body: Buffer.from('{}') };
      let outcome: unknown;
      const answer = await layerA.handle(request, async () => {
        // Simulate a pause longer than the lease: expire it and let another worker claim the key.
        await admin.query(`UPDATE "${schema}".idempotency_keys SET expires_at = clock_timestamp() - interval '1 second' WHERE key = $1`, [key]);
        const other = await store.begin(`global:${key}`, 'other-fp', { leaseMs: 60_000 });
        expect(other.kind).toBe('new');
        const client = await store.pool.connect();
        try {
          await client.query('BEGIN');
          await store.completeInTransaction(client, envelope).catch((error: unknown) => (outcome = error));
          await client.query('ROLLBACK');
        } finally {
          client.release();
        }
        return envelope;
      });
      expect(outcome).toBeInstanceOf(ClaimLostError);
      expect(answer.status).toBe(201);
    });

    it('outside a claimed handler, or without transactionalCompletion, it is a usage error', async () => {
      const store = newStore();
      await expect(store.completeInTransaction(admin, envelope)).rejects.toBeInstanceOf(NoActiveClaimError);
      const layer = createIdempotencyLayer({ store, scope: 'global' });
      const request = { method: 'POST', path: '/tx', headers: { 'idempotency-key': `"off-${Date.now()}"` }, body: Buffer.from('{}') };
      let thrown: unknown;
      await layer.handle(request, async () => {
        thrown = await store.completeInTransaction(admin, envelope).catch((error: unknown) => error);
        return envelope;
      });
      expect(thrown).toBeInstanceOf(NoActiveClaimError);
      expect((thrown as Error).message).toMatch(/transactionalCompletion: true/);
    });
  });
});
