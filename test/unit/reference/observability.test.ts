import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createReferenceLogger, createReferenceMetrics, logLayerEvents } from '../../../src/reference/index.js';

function memoryDestination() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  return { lines, stream };
}

describe('reference metrics', () => {
  it('uses its own registry and counts outcomes, store timings and in-flight work', async () => {
    const a = createReferenceMetrics();
    const b = createReferenceMetrics();
    a.onEvent({ type: 'request', outcome: 'new', method: 'POST', path: '/p', status: 201, durationMs: 1 });
    a.onEvent({ type: 'request', outcome: 'bypass', method: 'GET', path: '/metrics', status: 200, durationMs: 1 });
    a.onEvent({ type: 'store', op: 'begin', seconds: 0.0004, ok: true });
    a.onEvent({ type: 'store', op: 'begin', seconds: 0.002, ok: false, error: 'down' });
    a.onEvent({ type: 'in-flight', delta: 1 });
    const text = (await a.render()).body;
    expect(text).toMatch(/idempotency_requests_total\{outcome="new"\} 1/);
    expect(text).toMatch(/idempotency_requests_total\{outcome="mismatch"\} 0/);
    expect(text).not.toMatch(/outcome="bypass"/);
    expect(text).toMatch(/idempotency_store_seconds_count\{op="begin"\} 2/);
    expect(text).toMatch(/idempotency_store_errors_total\{op="begin"\} 1/);
    expect(text).toMatch(/idempotency_in_flight 1/);
    expect((await b.render()).body).toMatch(/idempotency_requests_total\{outcome="new"\} 0/);
  });
});

describe('reference logger', () => {
  it('is silent by default', () => {
    expect(createReferenceLogger().level).toBe('silent');
  });

  it('logs one JSON line per request with hashed key and tenant prefixes', () => {
    const { lines, stream } = memoryDestination();
    const logger = createReferenceLogger({ level: 'info', destination: stream });
    logLayerEvents(logger)({
      type: 'request', outcome: 'replay', method: 'POST', path: '/p', status: 201,
      keyHash: 'abcdef123456', tenant: 'f'.repeat(64), durationMs: 1.23456,
    });
    logger.flush();
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0]!);
    expect(line).toMatchObject({ msg: 'idempotency', outcome: 'replay', key: 'abcdef123456', tenant: 'f'.repeat(12), ms: 1.23 });
  });

  it('redacts credentials a caller logs through the same logger', () => {
    const { lines, stream } = memoryDestination();
    const logger = createReferenceLogger({ level: 'info', destination: stream });
    logger.info({ headers: { authorization: 'Bearer s3cret', cookie: 'sid=s3cret' } }, 'incoming');
    logger.flush();
    expect(lines.join('\n')).not.toContain('s3cret');
  });
});
