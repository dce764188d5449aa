import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import type { ReferenceServerOptions } from '../../../src/demo/index.js';
import { BACKENDS, FailingStore, PAYMENT, freshKey, ledgerCount, post, send, sleep, startServer as startOn } from './helpers.js';

describe.each(BACKENDS)('reference server, correct layer ($name store)', (backend) => {
  const startServer = async (options: ReferenceServerOptions = {}) => startOn({ store: await backend.store(), ...options });

  it('creates a payment once: 201, Location, ETag, no replay marker', async () => {
    const { url } = await startServer();
    const key = freshKey();
    const first = await post(url, '/payments', PAYMENT, { key });
    expect(first.status).toBe(201);
    expect(first.json).toMatchObject({ amount: 1000, currency: 'EUR', status: 'succeeded' });
    expect(first.json.id).toMatch(/^pay_[0-9a-f]+$/);
    expect(first.headers.location).toBe(`/payments/${first.json.id}`);
    expect(first.headers.etag).toMatch(/^".+"$/);
    expect(first.headers['content-type']).toBe('application/json');
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    expect(await ledgerCount(url, key)).toBe(1);
    const shown = await send(url, 'GET', `/payments/${first.json.id}`);
    expect(shown.status).toBe(200);
    expect(shown.json).toEqual(first.json);
  });

  it('replays status, body bytes and allow-listed headers, but never Set-Cookie or X-Request-Id', async () => {
    const { url } = await startServer();
    const key = freshKey();
    const first = await post(url, '/payments', PAYMENT, { key });
    expect(first.headers['set-cookie']).toBeDefined();
    expect(first.headers['x-request-id']).toBeDefined();
    const replay = await post(url, '/payments', PAYMENT, { key });
    expect(replay.status).toBe(201);
    expect(replay.body.equals(first.body)).toBe(true);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    for (const name of ['content-type', 'location', 'etag']) expect(replay.headers[name]).toBe(first.headers[name]);
    expect(replay.headers['set-cookie']).toBeUndefined();
    expect(replay.headers['x-request-id']).toBeUndefined();
    expect(await ledgerCount(url, key)).toBe(1);
  });

  it('answers 409 problem+json with Retry-After to a duplicate while the original is in flight', async () => {
    const { url } = await startServer({ processingMs: 200 });
    const key = freshKey();
    const [a, b] = await Promise.all([post(url, '/payments', PAYMENT, { key }), post(url, '/payments', PAYMENT, { key })]);
    const statuses = [a.status, b.status].sort();
    expect(statuses).toEqual([201, 409]);
    const conflict = a.status === 409 ? a : b;
    expect(conflict.headers['content-type']).toBe('application/problem+json');
    expect(conflict.headers['retry-after']).toBe('1');
    expect(conflict.json).toMatchObject({ status: 409, title: expect.any(String), type: expect.any(String) });
    expect(await ledgerCount(url, key)).toBe(1);
    const later = await post(url, '/payments', PAYMENT, { key });
    expect(later.headers['idempotent-replayed']).toBe('true');
  });

  it('executes exactly once under 8 parallel duplicates', async () => {
    const { url } = await startServer({ processingMs: 100 });
    const key = freshKey();
    const answers = await Promise.all(Array.from({ length: 8 }, () => post(url, '/payments', PAYMENT, { key })));
    // One original; every other copy is a 409 (arrived in flight) or, on a machine so busy that it
    // arrived after the 100 ms of work, a marked replay. Never a second execution.
    const replayed = (a: (typeof answers)[number]): boolean => a.status === 201 && a.headers['idempotent-replayed'] === 'true';
    expect(answers.filter((a) => a.status === 201 && !replayed(a))).toHaveLength(1);
    expect(answers.filter((a) => a.status === 409 || replayed(a))).toHaveLength(7);
    expect(await ledgerCount(url, key)).toBe(1);
  });

  it('rejects a different payload with 422 and still replays the original afterwards', async () => {
    const { url } = await startServer();
    const key = freshKey();
    const first = await post(url, '/payments', PAYMENT, { key });
    const other = await post(url, '/payments', { ...PAYMENT, amount: 2000 }, { key });
    expect(other.status).toBe(422);
    expect(other.headers['content-type']).toBe('application/problem+json');
    expect(other.json).toMatchObject({ status: 422 });
    const again = await post(url, '/payments', PAYMENT, { key });
    expect(again.status).toBe(201);
    expect(again.body.equals(first.body)).toBe(true);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(await ledgerCount(url, key)).toBe(1);
  });

  it('answers 400 problem+json to a missing key and to malformed keys, without executing', async () => {
    const { url, ledger } = await startServer();
    const missing = await post(url, '/payments', PAYMENT);
    expect(missing.status).toBe(400);
    expect(missing.headers['content-type']).toBe('application/problem+json');
    expect(missing.json).toMatchObject({ status: 400, type: expect.stringContaining('missing'), title: expect.any(String), detail: expect.any(String) });
    for (const rawKey of ['bare-token', '""', '"unterminated', `"${'x'.repeat(256)}"`, '"bad\\escape"']) {
      const malformed = await post(url, '/payments', PAYMENT, { rawKey });
      expect(malformed.status, rawKey).toBe(400);
      expect(malformed.json.type, rawKey).toContain('invalid');
    }
    expect(ledger.summary().total).toBe(0);
  });

  it('accepts bare keys when keySyntax is lenient, as the same key as the quoted form', async () => {
    const { url } = await startServer({ keySyntax: 'lenient' });
    const key = freshKey();
    const first = await post(url, '/payments', PAYMENT, { rawKey: key });
    expect(first.status).toBe(201);
    const quoted = await post(url, '/payments', PAYMENT, { key });
    expect(quoted.headers['idempotent-replayed']).toBe('true');
    expect(await ledgerCount(url, key)).toBe(1);
  });

  it('keeps tenants independent: the same key under another credential executes separately', async () => {
    const { url } = await startServer();
    const key = freshKey();
    const alice = await post(url, '/payments', PAYMENT, { key, auth: 'Bearer alice' });
    const bob = await post(url, '/payments', PAYMENT, { key, auth: 'Bearer bob' });
    expect(alice.status).toBe(201);
    expect(bob.status).toBe(201);
    expect(bob.json.id).not.toBe(alice.json.id);
    expect(bob.headers['idempotent-replayed']).toBeUndefined();
    const ledger = await send(url, 'GET', `/_idemaudit/ledger?key=${encodeURIComponent(key)}`);
    const tenants = ledger.json.executions.map((e: { tenant: string }) => e.tenant);
    expect(new Set(tenants).size).toBe(2);
    expect(tenants).not.toContain('Bearer alice');
    const aliceHash = createHash('sha256').update('Bearer alice').digest('hex');
    const onlyAlice = await send(url, 'GET', `/_idemaudit/ledger?key=${encodeURIComponent(key)}&tenant=${aliceHash}`);
    expect(onlyAlice.json.executions).toHaveLength(1);
  });

  it("never answers a key reused on another endpoint with that endpoint's response (422)", async () => {
    const { url } = await startServer();
    const key = freshKey();
    const payment = await post(url, '/payments', PAYMENT, { key });
    const refund = await post(url, '/refunds', { payment: payment.json.id, amount: 100 }, { key });
    expect(refund.status).toBe(422);
    const fresh = await post(url, '/refunds', { payment: payment.json.id, amount: 100 }, { key: freshKey() });
    expect(fresh.status).toBe(201);
    expect(fresh.json.id).toMatch(/^re_/);
    expect(fresh.headers.location).toBe(`/refunds/${fresh.json.id}`);
  });

  it('fails closed: a store outage answers 503 with Retry-After and the handler never runs', async () => {
    const store = new FailingStore();
    const { url, ledger } = await startServer({ store });
    const key = freshKey();
    const answer = await post(url, '/payments', PAYMENT, { key });
    expect(answer.status).toBe(503);
    expect(answer.headers['retry-after']).toBeDefined();
    expect(answer.headers['content-type']).toBe('application/problem+json');
    expect(store.calls).toBeGreaterThan(0);
    expect(ledger.summary().total).toBe(0);
    expect(await ledgerCount(url, key)).toBe(0);
  });

  it('stores 4xx results: an invalid body answers 400 and replays it', async () => {
    const { url } = await startServer();
    const key = freshKey();
    const first = await post(url, '/payments', { amount: -1, currency: 'EURO' }, { key });
    expect(first.status).toBe(400);
    expect(first.json.detail).toMatch(/amount/);
    expect(first.json.detail).toMatch(/currency/);
    const again = await post(url, '/payments', { amount: -1, currency: 'EURO' }, { key });
    expect(again.status).toBe(400);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body.equals(first.body)).toBe(true);
  });

  it('releases the key after a 5xx: the retry executes again (replay5xx off)', async () => {
    const { url } = await startServer();
    const key = freshKey();
    const body = { ...PAYMENT, simulate: 500 };
    const first = await post(url, '/payments', body, { key });
    expect(first.status).toBe(500);
    const retry = await post(url, '/payments', body, { key });
    expect(retry.status).toBe(500);
    expect(retry.headers['idempotent-replayed']).toBeUndefined();
    expect(await ledgerCount(url, key)).toBe(2);
  });

  it('replays a 5xx when replay5xx is on', async () => {
    const { url } = await startServer({ replay5xx: true });
    const key = freshKey();
    const body = { ...PAYMENT, simulate: 503 };
    const first = await post(url, '/payments', body, { key });
    expect(first.status).toBe(503);
    const retry = await post(url, '/payments', body, { key });
    expect(retry.status).toBe(503);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(await ledgerCount(url, key)).toBe(1);
  });

  it('recovers an abandoned request after its lease, still executing at most once', async () => {
    const { url } = await startServer({ processingMs: 300, leaseMs: 400 });
    const key = freshKey();
    const abort = new AbortController();
    const abandoned = post(url, '/payments', PAYMENT, { key, signal: abort.signal });
    await sleep(50);
    abort.abort();
    await expect(abandoned).rejects.toThrow();
    const during = await post(url, '/payments', PAYMENT, { key });
    expect(during.status).toBe(409);
    await sleep(450);
    const after = await post(url, '/payments', PAYMENT, { key });
    expect(after.status).toBe(201);
    expect(await ledgerCount(url, key)).toBe(1);
  });

  it('a simulated crash drops the connection and leaves the key locked until the lease expires', async () => {
    const { url } = await startServer({ leaseMs: 300 });
    const key = freshKey();
    const crash = { ...PAYMENT, simulate: 'crash' };
    await expect(post(url, '/payments', crash, { key })).rejects.toThrow();
    expect((await post(url, '/payments', crash, { key })).status).toBe(409);
    expect(await ledgerCount(url, key)).toBe(0);
  });

  it('serves health, ledger summary and metrics', async () => {
    const { url } = await startServer({ leaseMs: 1234 });
    const key = freshKey();
    await post(url, '/payments', PAYMENT, { key });
    await post(url, '/payments', PAYMENT, { key });
    const health = await send(url, 'GET', '/_idemaudit/health');
    expect(health.json).toMatchObject({
      ok: true,
      store: expect.stringContaining(backend.name),
      flaws: [],
      settings: { leaseMs: 1234, keySyntax: 'sf-string' },
    });
    const summary = await send(url, 'GET', '/_idemaudit/ledger');
    expect(summary.json).toEqual({ total: 1, keys: 1, unkeyed: 0, duplicates: [] });
    const metrics = await send(url, 'GET', '/metrics');
    expect(metrics.status).toBe(200);
    const text = metrics.body.toString();
    expect(text).toMatch(/idempotency_requests_total\{route="\/payments",outcome="new"\} 1/);
    expect(text).toMatch(/idempotency_requests_total\{route="\/payments",outcome="replay"\} 1/);
    expect(text).toMatch(/idempotency_store_operation_duration_seconds_count\{op="begin"\} 2/);
    expect(text).toMatch(/idempotency_in_flight_requests 0/);
  });

  it('answers 404 and 405 as problems', async () => {
    const { url } = await startServer();
    expect((await send(url, 'GET', '/nowhere')).status).toBe(404);
    const wrong = await send(url, 'DELETE', '/_idemaudit/health', undefined, { key: freshKey() });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.allow).toBe('GET');
    expect((await send(url, 'GET', '/payments/pay_unknown')).status).toBe(404);
  });

  it('rejects unknown flaw names, listing the known ones', async () => {
    await expect(startServer({ flaws: ['race', 'telepathy'] })).rejects.toThrow(/telepathy.*known flaws: race, no-fingerprint/);
  });

  it('close() resolves with idle keep-alive connections open', async () => {
    const server = await startServer();
    await send(server.url, 'GET', '/_idemaudit/health');
    const started = Date.now();
    await server.close();
    // Waiting for the idle socket would take node's 5 s keep-alive timeout; closing it takes no time.
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
