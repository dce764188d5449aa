// duplicate-upstream: one client request, two upstream executions, one answer (the first).
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFaultProxy, type FaultEvent } from '../../../src/faults/index.js';
import { send, startUpstream, type TestUpstream } from './helpers.js';

let upstream: TestUpstream;

beforeAll(async () => {
  upstream = await startUpstream({ delayMs: 100 });
});
afterAll(() => upstream.close());

describe('duplicate-upstream', () => {
  it('sends the same request twice at once and answers with the first response', async () => {
    const events: FaultEvent[] = [];
    const proxy = await startFaultProxy({ upstream: upstream.url, seed: 'dup', faults: [{ name: 'duplicate-upstream' }], onEvent: (e) => events.push(e) });
    try {
      const before = upstream.hits;
      const res = await send(`${proxy.url}/payments`, { headers: { 'idempotency-key': 'dup-1', 'content-type': 'application/json' }, body: '{"amount":7}' });
      // Both executions are done by the time the client has its answer.
      expect(upstream.hits).toBe(before + 2);
      const [a, b] = upstream.seen.slice(-2);
      expect([a!.body, b!.body]).toEqual(['{"amount":7}', '{"amount":7}']);
      expect([a!.headers['idempotency-key'], b!.headers['idempotency-key']]).toEqual(['dup-1', 'dup-1']);
      // Sent concurrently: both arrive well inside the upstream's 100 ms of work (one after the
      // other would put them at least 100 ms apart).
      expect(Math.abs(a!.at - b!.at)).toBeLessThan(75);
      expect(res.status).toBe(201);
      expect(JSON.parse(res.body!.toString()).body).toBe('{"amount":7}');
      expect(res.headers!['set-cookie']).toEqual(['a=1', 'b=2']);
      expect(events).toEqual([expect.objectContaining({ fault: 'duplicate-upstream', key: 'dup-1', upstreamStatuses: [201, 201] })]);
    } finally {
      await proxy.close();
    }
  });

  it('spaces the copies delayMs apart, like a gateway retrying after a per-try timeout', async () => {
    const proxy = await startFaultProxy({ upstream: upstream.url, seed: 'dup', faults: [{ name: 'duplicate-upstream', delayMs: 150 }] });
    try {
      const before = upstream.hits;
      const sentAt = performance.now();
      const res = await send(`${proxy.url}/payments`, { body: 'x' });
      expect(res.status).toBe(201);
      expect(upstream.hits).toBe(before + 2);
      const [a, b] = upstream.seen.slice(-2);
      // Bounds the proxy controls, whatever the load: the second copy leaves 150 ms after the first
      // (timers may fire up to 1 ms early), so it cannot arrive sooner than that after the client sent.
      // (The gap between the two arrivals also depends on how long the first copy took to get there.)
      expect(a!.at).toBeLessThan(b!.at);
      expect(b!.at - sentAt).toBeGreaterThanOrEqual(149);
      expect(res.ms).toBeGreaterThanOrEqual(149);
    } finally {
      await proxy.close();
    }
  });

  it('refuses to buffer a request body over the limit with 413, sending nothing upstream', async () => {
    const proxy = await startFaultProxy({ upstream: upstream.url, seed: 'dup', maxBufferBytes: 1024, faults: [{ name: 'duplicate-upstream' }] });
    try {
      const before = upstream.hits;
      const res = await send(`${proxy.url}/payments`, { body: Buffer.alloc(4096, 'a') });
      expect(res.status).toBe(413);
      expect(upstream.hits).toBe(before);
    } finally {
      await proxy.close();
    }
  });
});
