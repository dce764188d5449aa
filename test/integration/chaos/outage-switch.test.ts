// The reference server's store-outage switch over HTTP: advertised in health, answered before the
// idempotency layer, fail closed while on (and fail open with the flaw), harmless when unused.
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { runAudit } from '../../../src/audit/run.js';
import { startReferenceServer, type ReferenceServer } from '../../../src/demo/index.js';
import { scenarioSchema } from '../../../src/scenario/schema.js';
import { httpServer } from '../../helpers/servers.js';

const servers: ReferenceServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function start(flaws: string[] = []): Promise<ReferenceServer> {
  const server = await startReferenceServer({ admin: true, port: 0, processingMs: 5, flaws });
  servers.push(server);
  return server;
}

async function call(url: string, method: 'GET' | 'POST' = 'GET', headers: Record<string, string> = {}, body?: string) {
  const res = await request(url, { method, headers, body: body ?? null });
  const text = await res.body.text();
  return { status: res.statusCode, doc: text ? (JSON.parse(text) as Record<string, any>) : undefined };
}

const pay = (server: ReferenceServer, key: string) =>
  call(`${server.url}/payments`, 'POST', { 'content-type': 'application/json', 'idempotency-key': `"${key}"` }, '{"amount":5,"currency":"EUR"}');

describe('store-outage switch', () => {
  it('is advertised in health and inactive until used', async () => {
    const server = await start();
    const health = await call(`${server.url}/_idemaudit/health`);
    expect(health.doc).toMatchObject({ ok: true, faults: { storeOutage: '/_idemaudit/faults/store-outage', storeOutageActive: false } });
    expect((await pay(server, 'before')).status).toBe(201);
  });

  it('fails every store call for ms: 503 and nothing executed, then a retry runs exactly once', async () => {
    const server = await start();
    expect((await pay(server, 'committed')).status).toBe(201);
    // No Idempotency-Key needed: the switch is not a mutation of the API.
    const on = await call(`${server.url}/_idemaudit/faults/store-outage?ms=300`, 'POST');
    expect(on.status).toBe(200);
    expect(on.doc).toMatchObject({ ok: true, outageMs: 300, until: expect.any(Number) });
    expect(on.doc!.until).toBeGreaterThan(Date.now());
    expect((await call(`${server.url}/_idemaudit/health`)).doc!.faults.storeOutageActive).toBe(true);

    const fresh = await pay(server, 'fresh');
    const retry = await pay(server, 'committed');
    expect([fresh.status, retry.status]).toEqual([503, 503]);
    expect(fresh.doc!.type).toContain('store-unavailable');
    expect(server.ledger.forKey('fresh').executions).toHaveLength(0);
    expect(server.ledger.forKey('committed').executions).toHaveLength(1);

    await new Promise((r) => setTimeout(r, on.doc!.until - Date.now() + 20));
    expect((await pay(server, 'fresh')).status).toBe(201);
    expect((await pay(server, 'committed')).status).toBe(201);
    expect(server.ledger.forKey('fresh').executions).toHaveLength(1);
    expect(server.ledger.forKey('committed').executions).toHaveLength(1);
  });

  it('with the fail-open flaw the mutation runs during the outage, unprotected', async () => {
    const server = await start(['fail-open']);
    await call(`${server.url}/_idemaudit/faults/store-outage?ms=5000`, 'POST');
    expect((await pay(server, 'k')).status).toBe(201);
    expect((await pay(server, 'k')).status).toBe(201);
    expect(server.ledger.forKey('k').executions).toHaveLength(2);
    // ms=0 ends the outage at once.
    expect((await call(`${server.url}/_idemaudit/faults/store-outage?ms=0`, 'POST')).status).toBe(200);
    expect((await pay(server, 'k2')).status).toBe(201);
    expect((await pay(server, 'k2')).status).toBe(201);
    expect(server.ledger.forKey('k2').executions).toHaveLength(1);
  });

  it('refuses other methods and bad lengths', async () => {
    const server = await start();
    expect((await call(`${server.url}/_idemaudit/faults/store-outage?ms=10`)).status).toBe(405);
    for (const ms of ['', '-1', '1.5', 'abc', '600001']) {
      expect((await call(`${server.url}/_idemaudit/faults/store-outage?ms=${ms}`, 'POST')).status, ms).toBe(400);
    }
    expect((await call(`${server.url}/_idemaudit/faults/store-outage`, 'POST')).status).toBe(400);
  });
});

describe('store-outage check: how the outage is triggered', () => {
  const scenarioFor = (target: string, extra: Record<string, unknown> = {}) =>
    scenarioSchema().parse({
      version: 1,
      name: 'outage',
      target,
      defaults: { headers: { 'content-type': 'application/json' }, timeoutMs: 2000 },
      endpoints: [{ name: 'pay', path: '/payments', body: { amount: 5, currency: 'EUR' }, identity: '/id', risk: 'critical' }],
      checks: { 'store-outage': { outageMs: 300, settleMs: 20 } },
      ...extra,
    });

  it('a scenario hook is used instead of the reference switch', async () => {
    const server = await start();
    const report = await runAudit(scenarioFor(server.url, { hooks: { storeOutage: { path: '/_idemaudit/faults/store-outage?ms={{ms}}' } } }), { seed: 'hook' });
    const [result] = report.results;
    expect(result).toMatchObject({ check: 'store-outage', verdict: 'pass', facts: { via: 'scenario hook', outageMs: 300, failClosed: true } });
  });

  it('skips with a reason when the target offers no way to make its store fail', async () => {
    const plain = await httpServer((req, res) => {
      req.resume();
      res.writeHead(req.method === 'POST' ? 201 : 404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: 'x' }));
    });
    try {
      const report = await runAudit(scenarioFor(plain.url), { seed: 'none' });
      expect(report.results).toEqual([
        expect.objectContaining({ check: 'store-outage', verdict: 'skip', message: expect.stringContaining('declare hooks.storeOutage') }),
      ]);
      expect(plain.hits()).toBeLessThan(4);
    } finally {
      await plain.close();
    }
  });
});
