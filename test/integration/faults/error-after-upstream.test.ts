// error-after-upstream: the upstream commits, then the client gets a 5xx of the proxy's (any status
// from 500 to 599) instead of the upstream's answer: a service failing after its commit.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FaultSpecSchema, parseFaultSpec, startFaultProxy, type FaultEvent, type FaultProxy, type FaultSpecInput } from '../../../src/faults/index.js';
import { send, startUpstream, type TestUpstream } from './helpers.js';

let upstream: TestUpstream;
let proxy: FaultProxy | undefined;
let events: FaultEvent[];

beforeAll(async () => {
  upstream = await startUpstream({ delayMs: 20 });
});
afterAll(() => upstream.close());
afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
});

async function through(fault: FaultSpecInput): Promise<FaultProxy> {
  events = [];
  proxy = await startFaultProxy({ upstream: upstream.url, seed: 'error-after', faults: [fault], onEvent: (e) => events.push(e) });
  return proxy;
}

const payment = { body: '{"amount":1250}', headers: { 'idempotency-key': 'key-1', 'content-type': 'application/json' } };

describe('error-after-upstream', () => {
  it('answers 500 by default, as problem+json, after the upstream committed the request', async () => {
    const p = await through({ name: 'error-after-upstream' });
    const before = upstream.hits;
    const res = await send(`${p.url}/payments`, payment);
    expect(res.status).toBe(500);
    expect(res.headers!['content-type']).toBe('application/problem+json');
    expect(res.headers!['x-idemaudit-fault']).toBe('error-after-upstream');
    expect(JSON.parse(res.body!.toString())).toMatchObject({ status: 500, title: 'Failure after commit' });
    // The upstream's own answer (201 with a Location) never reaches the client.
    expect(res.headers!.location).toBeUndefined();
    expect(upstream.hits).toBe(before + 1);
    expect(upstream.seen.at(-1)!.body).toBe('{"amount":1250}');
    expect(events).toEqual([
      { fault: 'error-after-upstream', method: 'POST', path: '/payments', key: 'key-1', at: expect.any(Number), upstreamStatuses: [201] },
    ]);
    expect(p.stats().faults['error-after-upstream']).toEqual({ injected: 1, passed: 0 });
  });

  it('answers any configured 5xx (503, and 507, which gateway-status does not take)', async () => {
    for (const status of [503, 507]) {
      const p = await through({ name: 'error-after-upstream', status });
      const res = await send(`${p.url}/payments`, payment);
      expect(res.status).toBe(status);
      expect(JSON.parse(res.body!.toString())).toMatchObject({ status });
      await p.close();
      proxy = undefined;
    }
  });

  it('takes only 5xx statuses', () => {
    expect(FaultSpecSchema.parse({ name: 'error-after-upstream' })).toEqual({ name: 'error-after-upstream', probability: 1, status: 500 });
    expect(FaultSpecSchema.safeParse({ name: 'error-after-upstream', status: 404 }).success).toBe(false);
    expect(() => parseFaultSpec({ name: 'error-after-upstream', status: 600 })).toThrow(/status/);
  });
});
