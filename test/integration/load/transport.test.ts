// The executors over real sockets: when the target is slower than the arrival rate, requests wait
// for a connection and that wait shows in the latency from the intended start (not in the service
// time); a target that refuses connections ends the run by bail-out instead of hammering it.
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLoad } from '../../../src/engine/load/index.js';
import type { LoadOptions } from '../../../src/engine/load/types.js';
import { startReferenceServer, type ReferenceServer } from '../../../src/demo/index.js';

let server: ReferenceServer;
beforeAll(async () => {
  server = await startReferenceServer({ admin: true, port: 0, processingMs: 50 });
});
afterAll(async () => {
  await server.close();
});

function options(origin: string, over: Partial<LoadOptions> = {}): LoadOptions {
  const body = Buffer.from('{"amount":100,"currency":"EUR"}');
  return {
    template: {
      endpoint: 'pay',
      origin,
      path: '/payments',
      method: 'POST',
      headers: ['content-type', 'application/json', 'authorization', 'Bearer a'],
      keyHeader: 'idempotency-key',
      keyFormat: 'sf-string',
      body: () => body,
    },
    executor: { name: 'constant-arrival-rate', rate: 100, durationMs: 1000, connections: 2, maxInFlight: 1000 },
    maxRequests: 10_000,
    timeoutMs: 5000,
    duplicates: 0,
    inFlightDuplicates: 0,
    seed: 'transport',
    statuses: { inFlight: [409], mismatch: [422] },
    ...over,
  };
}

describe('socket transport', () => {
  it('queues for a connection when the target is too slow, and the queueing shows from the intended start', async () => {
    // 2 connections x (1 request / ~50 ms) = ~40 req/s of capacity for 100 req/s of arrivals.
    const r = await runLoad(options(server.url));
    expect(r.sent).toBe(100);
    expect(r.completed).toBe(100);
    expect(r.dropped).toBe(0);
    const service = r.stats.stat('service', 'all', { kind: 'percentile', percentile: 50 })!;
    const latency = r.stats.stat('latency', 'all', { kind: 'percentile', percentile: 99 })!;
    expect(service).toBeGreaterThanOrEqual(45);
    expect(service).toBeLessThan(150);
    expect(latency).toBeGreaterThan(900);
    expect(r.elapsedMs).toBeGreaterThan(2000);
    // Waiting for a connection is not being sent on schedule: most requests left late, and say so.
    expect(r.late).toBeGreaterThan(50);
    expect(r.maxLagMs).toBeGreaterThan(900);
  }, 15_000);

  it('bails out against a port that refuses connections', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = createServer();
      s.listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const r = await runLoad(
      options(`http://127.0.0.1:${port}`, {
        executor: { name: 'constant-connections', connections: 4, durationMs: 5000 },
        bailout: { rate: 0.5, minRequests: 20 },
      }),
    );
    expect(r.stoppedEarly).toMatch(/bail-out/);
    expect(Object.keys(r.errors).join()).toMatch(/ECONNREFUSED/);
    // stoppedEarly above is the proof that it did not run its 5 s (no wall-clock budget).
  }, 15_000);
});
