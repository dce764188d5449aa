// Each deliberate flaw must be observable from outside the server, through HTTP alone (answers and
// the ledger), and the correct server must not show the same symptom.
import { describe, expect, it } from 'vitest';
import type { ReferenceServerOptions } from '../../../src/demo/index.js';
import { BACKENDS, FailingStore, PAYMENT, freshKey, ledgerCount, post, send, sleep, startServer as startOn } from './helpers.js';

async function burst(url: string, key: string, n: number) {
  return Promise.all(Array.from({ length: n }, () => post(url, '/payments', PAYMENT, { key })));
}

describe.each(BACKENDS)('flaws seen from outside ($name store)', (backend) => {
  const startServer = async (options: ReferenceServerOptions = {}) => startOn({ store: await backend.store(), ...options });

  it('race: 8 parallel duplicates execute more than once (correct server: exactly once)', async () => {
    const flawed = await startServer({ flaws: ['race'], processingMs: 100 });
    const correct = await startServer({ processingMs: 100 });
    const key = freshKey();
    await Promise.all([burst(flawed.url, key, 8), burst(correct.url, key, 8)]);
    expect(await ledgerCount(flawed.url, key)).toBeGreaterThan(1);
    expect(await ledgerCount(correct.url, key)).toBe(1);
  });

  it('no-inflight: a duplicate during the original waits, then executes again instead of 409', async () => {
    const flawed = await startServer({ flaws: ['no-inflight'], processingMs: 200 });
    const key = freshKey();
    const answers = await burst(flawed.url, key, 2);
    expect(answers.map((a) => a.status)).toEqual([201, 201]);
    expect(answers[0]!.json.id).not.toBe(answers[1]!.json.id);
    expect(await ledgerCount(flawed.url, key)).toBe(2);
  });

  it('no-fingerprint: a different payload replays the old result', async () => {
    const flawed = await startServer({ flaws: ['no-fingerprint'] });
    const key = freshKey();
    const first = await post(flawed.url, '/payments', PAYMENT, { key });
    const other = await post(flawed.url, '/payments', { ...PAYMENT, amount: 2000 }, { key });
    expect(other.status).toBe(201);
    expect(other.json.amount).toBe(1000);
    expect(other.body.equals(first.body)).toBe(true);
    // Still isolated from cross-endpoint reuse: method and path stay in the fingerprint.
    expect((await post(flawed.url, '/refunds', { payment: 'pay_x', amount: 1 }, { key })).status).toBe(422);
  });

  it("no-tenant-scope: another credential reusing a key receives the first tenant's response", async () => {
    const flawed = await startServer({ flaws: ['no-tenant-scope'] });
    const key = freshKey();
    const alice = await post(flawed.url, '/payments', PAYMENT, { key, auth: 'Bearer alice' });
    const bob = await post(flawed.url, '/payments', PAYMENT, { key, auth: 'Bearer bob' });
    expect(bob.status).toBe(201);
    expect(bob.json.id).toBe(alice.json.id);
    expect(bob.headers['idempotent-replayed']).toBe('true');
    expect(await ledgerCount(flawed.url, key)).toBe(1);
  });

  it('regenerate: the replay body differs from the original, without a second execution', async () => {
    const flawed = await startServer({ flaws: ['regenerate'] });
    const key = freshKey();
    const first = await post(flawed.url, '/payments', PAYMENT, { key });
    await sleep(5);
    const replay = await post(flawed.url, '/payments', PAYMENT, { key });
    expect(replay.status).toBe(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.json.id).toBe(first.json.id);
    expect(replay.json.created).not.toBe(first.json.created);
    expect(replay.body.equals(first.body)).toBe(false);
    expect(await ledgerCount(flawed.url, key)).toBe(1);
  });

  it('no-key-required: a request without a key runs instead of 400', async () => {
    const flawed = await startServer({ flaws: ['no-key-required'] });
    const answer = await post(flawed.url, '/payments', PAYMENT);
    expect(answer.status).toBe(201);
    const summary = await send(flawed.url, 'GET', '/_idemaudit/ledger');
    expect(summary.json).toMatchObject({ total: 1, unkeyed: 1 });
  });

  it('short-ttl: a retry after 1 s executes again (correct server: replays)', async () => {
    const flawed = await startServer({ flaws: ['short-ttl'] });
    const correct = await startServer();
    const key = freshKey();
    await Promise.all([post(flawed.url, '/payments', PAYMENT, { key }), post(correct.url, '/payments', PAYMENT, { key })]);
    await sleep(1_150);
    const [late, lateCorrect] = await Promise.all([post(flawed.url, '/payments', PAYMENT, { key }), post(correct.url, '/payments', PAYMENT, { key })]);
    expect(late.headers['idempotent-replayed']).toBeUndefined();
    expect(await ledgerCount(flawed.url, key)).toBe(2);
    expect(lateCorrect.headers['idempotent-replayed']).toBe('true');
    expect(await ledgerCount(correct.url, key)).toBe(1);
    const health = await send(flawed.url, 'GET', '/_idemaudit/health');
    expect(health.json.settings.retentionMs).toBe(1000);
  });

  it('header-drop: the replay loses Location and ETag but keeps Content-Type', async () => {
    const flawed = await startServer({ flaws: ['header-drop'] });
    const key = freshKey();
    const first = await post(flawed.url, '/payments', PAYMENT, { key });
    const replay = await post(flawed.url, '/payments', PAYMENT, { key });
    expect(first.headers.location).toBeDefined();
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.headers.location).toBeUndefined();
    expect(replay.headers.etag).toBeUndefined();
    expect(replay.headers['content-type']).toBe('application/json');
    expect(replay.body.equals(first.body)).toBe(true);
  });

  it('cache-5xx: a 500 is replayed instead of letting the retry run', async () => {
    const flawed = await startServer({ flaws: ['cache-5xx'] });
    const key = freshKey();
    const body = { ...PAYMENT, simulate: 500 };
    expect((await post(flawed.url, '/payments', body, { key })).status).toBe(500);
    const retry = await post(flawed.url, '/payments', body, { key });
    expect(retry.status).toBe(500);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(await ledgerCount(flawed.url, key)).toBe(1);
  });

  it('orphan-lock: an abandoned request keeps answering 409 long after the configured lease', async () => {
    const flawed = await startServer({ flaws: ['orphan-lock'], leaseMs: 200 });
    const correct = await startServer({ leaseMs: 200 });
    const key = freshKey();
    const crash = { ...PAYMENT, simulate: 'crash' };
    await Promise.all([
      expect(post(flawed.url, '/payments', crash, { key })).rejects.toThrow(),
      expect(post(correct.url, '/payments', crash, { key })).rejects.toThrow(),
    ]);
    await sleep(600);
    // The correct server's lease expired: the key can be claimed again (and crashes again).
    await expect(post(correct.url, '/payments', crash, { key })).rejects.toThrow();
    const stuck = await post(flawed.url, '/payments', crash, { key });
    expect(stuck.status).toBe(409);
    const health = await send(flawed.url, 'GET', '/_idemaudit/health');
    expect(health.json.settings.leaseMs).toBe(0);
  });

  it('poison: a rejected mismatch deletes the original, whose retry then executes again', async () => {
    const flawed = await startServer({ flaws: ['poison'] });
    const key = freshKey();
    await post(flawed.url, '/payments', PAYMENT, { key });
    expect((await post(flawed.url, '/payments', { ...PAYMENT, amount: 2000 }, { key })).status).toBe(422);
    const retry = await post(flawed.url, '/payments', PAYMENT, { key });
    expect(retry.status).toBe(201);
    expect(retry.headers['idempotent-replayed']).toBeUndefined();
    expect(await ledgerCount(flawed.url, key)).toBe(2);
  });

  it('fail-open: with the store down the mutation runs anyway, and runs again on retry', async () => {
    const flawed = await startServer({ flaws: ['fail-open'], store: new FailingStore() });
    const key = freshKey();
    expect((await post(flawed.url, '/payments', PAYMENT, { key })).status).toBe(201);
    expect((await post(flawed.url, '/payments', PAYMENT, { key })).status).toBe(201);
    expect(await ledgerCount(flawed.url, key)).toBe(2);
  });

  it('health lists the enabled flaws', async () => {
    const flawed = await startServer({ flaws: ['poison', 'race'] });
    const health = await send(flawed.url, 'GET', '/_idemaudit/health');
    expect(health.json.flaws).toEqual(['race', 'poison']);
  });
});
