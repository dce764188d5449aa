// Issue 13: the demo server's in-process records are bounded, and only mutations are recorded.
import { afterEach, describe, expect, it } from 'vitest';
import { startReferenceServer, type ReferenceServer } from '../../../src/demo/index.js';
import { BoundedMap } from '../../../src/demo/app/bounded-map.js';
import { Ledger } from '../../../src/demo/app/ledger.js';

let server: ReferenceServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('bounded demo records', () => {
  it('BoundedMap forgets the oldest key past its size', () => {
    const m = new BoundedMap<string, number>(3);
    for (const k of ['a', 'b', 'c', 'd']) m.set(k, 1);
    expect([...m.keys()]).toEqual(['b', 'c', 'd']);
    m.set('b', 2); // an update does not evict
    expect(m.size).toBe(3);
  });

  it('the ledger keeps at most maxKeys keys, by count', () => {
    const ledger = new Ledger(10);
    for (let i = 0; i < 1000; i++) {
      ledger.arrive(`k${i}`, i);
      ledger.record(`k${i}`, { tenant: 't', method: 'POST', path: '/p', id: `id${i}`, receivedAt: i, executedAt: i });
    }
    expect(ledger.summary().keys).toBe(10);
    expect(ledger.summary().total).toBe(1000);
    expect(ledger.forKey('k999').executions).toHaveLength(1);
    expect(ledger.forKey('k0').executions).toHaveLength(0);
  });

  it('keyed GETs to any path record nothing; keyed POSTs stay within maxRecords', async () => {
    server = await startReferenceServer({ admin: true, port: 0, processingMs: 0, maxRecords: 20 });
    for (let i = 0; i < 50; i++) {
      const r = await fetch(`${server.url}/anything-${i}`, { headers: { 'idempotency-key': `"g-${'x'.repeat(200)}-${i}"` } });
      await r.arrayBuffer();
    }
    expect(server.ledger.forKey(`g-${'x'.repeat(200)}-0`).arrivals).toEqual([]);
    for (let i = 0; i < 60; i++) {
      const r = await fetch(`${server.url}/payments`, {
        method: 'POST',
        headers: { 'idempotency-key': `"p-${i}"`, 'content-type': 'application/json', authorization: 'Bearer a' },
        body: '{"amount":1,"currency":"EUR"}',
      });
      expect(r.status).toBe(201);
      await r.arrayBuffer();
    }
    expect(server.ledger.summary().keys).toBe(20);
    expect(server.ledger.forKey('p-59').executions).toHaveLength(1);
    expect(server.ledger.forKey('p-59').arrivals).toHaveLength(1);
    // The server's own MemoryStore is bounded by the same maxRecords, and says how many it evicted.
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/^idempotency_store_evictions_total 40$/m);
  }, 30_000);
});
