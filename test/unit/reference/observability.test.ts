import { Writable } from 'node:stream';
import { Registry, register as globalRegistry } from 'prom-client';
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
  it('registers into the registry passed, counts by route and outcome, store timings and in-flight work', async () => {
    const a = createReferenceMetrics({ registry: new Registry() });
    const b = createReferenceMetrics({ registry: new Registry() });
    a.onEvent({ type: 'request', outcome: 'new', method: 'POST', path: '/p/1', route: '/p/:id', status: 201, durationMs: 1 });
    a.onEvent({ type: 'request', outcome: 'bypass', method: 'GET', path: '/metrics', route: '/metrics', status: 200, durationMs: 1 });
    a.onEvent({ type: 'store', op: 'begin', seconds: 0.0004, ok: true });
    a.onEvent({ type: 'store', op: 'begin', seconds: 0.002, ok: false, error: 'down' });
    a.onEvent({ type: 'in-flight', delta: 1 });
    const text = (await a.render()).body;
    expect(text).toMatch(/idempotency_requests_total\{route="\/p\/:id",outcome="new"\} 1/);
    expect(text).toMatch(/idempotency_requests_total\{route="\/p\/:id",outcome="mismatch"\} 0/);
    expect(text).not.toMatch(/outcome="bypass"/);
    expect(text).toMatch(/idempotency_store_operation_duration_seconds_count\{op="begin"\} 2/);
    expect(text).toMatch(/idempotency_store_errors_total\{op="begin"\} 1/);
    expect(text).toMatch(/idempotency_in_flight_requests 1/);
    expect((await b.render()).body).not.toMatch(/idempotency_requests_total\{/);
  });

  it("defaults to prom-client's global registry, so the app's own /metrics shows the layer", async () => {
    globalRegistry.clear();
    try {
      const metrics = createReferenceMetrics();
      expect(metrics.registry).toBe(globalRegistry);
      metrics.onEvent({ type: 'request', outcome: 'replay', method: 'POST', path: '/o', route: '/o', status: 201, durationMs: 1 });
      expect(await globalRegistry.metrics()).toMatch(/idempotency_requests_total\{route="\/o",outcome="replay"\} 1/);
    } finally {
      globalRegistry.clear();
    }
  });

  it('caps distinct routes at maxRoutes; later ones count as other', async () => {
    const metrics = createReferenceMetrics({ registry: new Registry(), maxRoutes: 2 });
    for (const route of ['/a', '/b', '/c', '/d']) {
      metrics.onEvent({ type: 'request', outcome: 'new', method: 'POST', path: route, route, status: 201, durationMs: 1 });
    }
    const text = (await metrics.render()).body;
    expect(text).toMatch(/route="\/a",outcome="new"\} 1/);
    expect(text).toMatch(/route="\/b",outcome="new"\} 1/);
    expect(text).toMatch(/route="other",outcome="new"\} 2/);
    expect(text).not.toMatch(/route="\/c"/);
  });

  it('reads storage per route at scrape time when given a storage source', async () => {
    let calls = 0;
    const metrics = createReferenceMetrics({
      registry: new Registry(),
      storage: async () => {
        calls += 1;
        return [{ route: '/payments', status: 'completed', keys: 3, bytes: 420 }];
      },
    });
    const text = (await metrics.render()).body;
    expect(calls).toBe(1);
    expect(text).toMatch(/idempotency_stored_keys\{route="\/payments",status="completed"\} 3/);
    expect(text).toMatch(/idempotency_stored_bytes\{route="\/payments",status="completed"\} 420/);
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
      type: 'request',
      outcome: 'replay',
      method: 'POST',
      path: '/p',
      route: '/p',
      status: 201,
      keyHash: 'abcdef123456',
      tenant: 'f'.repeat(64),
      durationMs: 1.23456,
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
