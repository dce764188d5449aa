// Issue 13: a demo server others can reach offers no ledger and no fault switches unless it was
// started with admin on, and its health tells the store's real state.
import { afterEach, describe, expect, it } from 'vitest';
import { startReferenceServer, type ReferenceServer } from '../../../src/demo/index.js';
import { createRedisStore } from '../../../src/reference/store/redis/index.js';

let server: ReferenceServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const get = async (url: string, init?: RequestInit): Promise<{ status: number; body: any }> => {
  const r = await fetch(url, init);
  const text = await r.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: r.status, body };
};

describe('admin routes', () => {
  it('are off by default: no ledger, no store-outage switch, a health answer without settings', async () => {
    server = await startReferenceServer({ port: 0, processingMs: 0 });
    expect((await get(`${server.url}/_idemaudit/ledger?key=x`)).status).toBe(404);
    const outage = await get(`${server.url}/_idemaudit/faults/store-outage?ms=600000`, { method: 'POST' });
    expect([400, 404]).toContain(outage.status); // an ordinary unkeyed POST to an unknown path, never a switch
    const pay = await get(`${server.url}/payments`, {
      method: 'POST',
      headers: { 'idempotency-key': '"k1"', 'content-type': 'application/json' },
      body: '{"amount":1,"currency":"EUR"}',
    });
    expect(pay.status).toBe(201); // the outage request did nothing
    const health = await get(`${server.url}/_idemaudit/health`);
    expect(health).toEqual({ status: 200, body: { ok: true, store: 'memory', admin: false } });
  });

  it('are on with admin: true (serve --admin, target: self)', async () => {
    server = await startReferenceServer({ admin: true, port: 0, processingMs: 0 });
    expect((await get(`${server.url}/_idemaudit/ledger?key=x`)).status).toBe(200);
    expect((await get(`${server.url}/_idemaudit/health`)).body).toMatchObject({
      ok: true,
      admin: true,
      faults: { storeOutage: '/_idemaudit/faults/store-outage' },
    });
  });
});

describe('health', () => {
  it('says not ok (503) while the Redis store cannot answer', async () => {
    const store = createRedisStore({ url: 'redis://127.0.0.1:1', prefix: 'idem-test-health:' });
    server = await startReferenceServer({ port: 0, processingMs: 0, store });
    try {
      const health = await get(`${server.url}/_idemaudit/health`);
      expect(health.status).toBe(503);
      expect(health.body).toMatchObject({ ok: false, store: 'redis' });
    } finally {
      await server.close();
      server = undefined;
      await store.close().catch(() => {});
    }
  }, 30_000);
});
