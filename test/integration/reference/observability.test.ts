import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createReferenceLogger } from '../../../src/reference/index.js';
import { PAYMENT, freshKey, post, send, startServer } from './helpers.js';

describe('reference server logs and metrics', () => {
  it('logs outcomes as JSON without credentials, cookies or raw keys', async () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk, _encoding, done) {
        lines.push(...chunk.toString().split('\n').filter(Boolean));
        done();
      },
    });
    const logger = createReferenceLogger({ level: 'info', destination });
    const { url } = await startServer({ logger });
    const key = freshKey('very-private-key');
    const headers = { cookie: 'sid=cookie-secret' };
    await post(url, '/payments', PAYMENT, { key, auth: 'Bearer token-secret', headers });
    await post(url, '/payments', PAYMENT, { key, auth: 'Bearer token-secret', headers });
    await post(url, '/payments', PAYMENT, { auth: 'Bearer token-secret' });
    logger.flush();
    const records = lines.map((line) => JSON.parse(line));
    const outcomes = records.filter((r) => r.msg === 'idempotency').map((r) => r.outcome);
    expect(outcomes).toEqual(['new', 'replay', 'missing_key']);
    const text = lines.join('\n');
    for (const secret of ['token-secret', 'cookie-secret', 'very-private-key']) expect(text).not.toContain(secret);
    const first = records.find((r) => r.outcome === 'new');
    expect(first.key).toMatch(/^[0-9a-f]{12}$/);
  });

  it('counts conflicts and mismatches in /metrics', async () => {
    const { url } = await startServer({ processingMs: 100 });
    const key = freshKey();
    await Promise.all([post(url, '/payments', PAYMENT, { key }), post(url, '/payments', PAYMENT, { key })]);
    await post(url, '/payments', { ...PAYMENT, amount: 5 }, { key });
    await post(url, '/payments', PAYMENT, { rawKey: 'bare' });
    const text = (await send(url, 'GET', '/metrics')).body.toString();
    expect(text).toMatch(/idempotency_requests_total\{route="\/payments",outcome="in_flight_conflict"\} 1/);
    expect(text).toMatch(/idempotency_requests_total\{route="\/payments",outcome="mismatch"\} 1/);
    expect(text).toMatch(/idempotency_requests_total\{route="\/payments",outcome="invalid_key"\} 1/);
  });
});
