// Faults that let the upstream commit and then deny the client its answer (drop, stall, gateway
// status), and the control case that resets before the upstream is contacted at all.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFaultProxy, type FaultEvent, type FaultProxy, type FaultSpecInput } from '../../../src/faults/index.js';
import { RESET_CODES, send, startUpstream, type TestUpstream } from './helpers.js';

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
  proxy = await startFaultProxy({ upstream: upstream.url, seed: 'lost', faults: [fault], onEvent: (e) => events.push(e) });
  return proxy;
}

const payment = { body: '{"amount":1250}', headers: { 'idempotency-key': 'key-1', 'content-type': 'application/json' } };

describe('drop-response-after-upstream', () => {
  it('the upstream finished the request; the client sees a reset and no response', async () => {
    const p = await through({ name: 'drop-response-after-upstream' });
    const before = upstream.hits;
    const res = await send(`${p.url}/payments`, payment);
    expect(res.status).toBeUndefined();
    expect(RESET_CODES).toContain(res.error);
    expect(upstream.hits).toBe(before + 1);
    expect(upstream.seen.at(-1)!.body).toBe('{"amount":1250}');
    expect(events).toEqual([
      { fault: 'drop-response-after-upstream', method: 'POST', path: '/payments', key: 'key-1', at: expect.any(Number), upstreamStatuses: [201] },
    ]);
    expect(p.stats().faults['drop-response-after-upstream']).toEqual({ injected: 1, passed: 0 });
  });
});

describe('reset-before-upstream', () => {
  it('the client sees a reset and the upstream never sees the request', async () => {
    const p = await through({ name: 'reset-before-upstream' });
    const before = upstream.hits;
    const res = await send(`${p.url}/payments`, payment);
    expect(RESET_CODES).toContain(res.error);
    // Give a wrongly forwarded request time to land before concluding it never did.
    await new Promise((r) => setTimeout(r, 100));
    expect(upstream.hits).toBe(before);
    expect(events.map((e) => [e.fault, e.key, e.upstreamStatuses])).toEqual([['reset-before-upstream', 'key-1', undefined]]);
  });
});

describe('gateway-status', () => {
  it('answers 502 by default after the upstream committed', async () => {
    const p = await through({ name: 'gateway-status' });
    const before = upstream.hits;
    const res = await send(`${p.url}/payments`, payment);
    expect(res.status).toBe(502);
    expect(res.headers!['x-idemaudit-fault']).toBe('gateway-status');
    expect(res.body!.toString()).toContain('502 Bad Gateway');
    expect(upstream.hits).toBe(before + 1);
    expect(events[0]).toMatchObject({ fault: 'gateway-status', upstreamStatuses: [201] });
  });

  it('answers the configured 504', async () => {
    const p = await through({ name: 'gateway-status', status: 504 });
    const res = await send(`${p.url}/payments`, payment);
    expect(res.status).toBe(504);
    expect(res.body!.toString()).toContain('504 Gateway Timeout');
  });
});

describe('stall-response', () => {
  it('holds the answer for holdMs after the upstream finished, then closes without one', async () => {
    const p = await through({ name: 'stall-response', holdMs: 300 });
    const before = upstream.hits;
    const res = await send(`${p.url}/payments`, payment);
    expect(res.status).toBeUndefined();
    expect(RESET_CODES).toContain(res.error);
    expect(res.ms).toBeGreaterThanOrEqual(299); // timers may fire up to 1 ms early on a fresh clock
    expect(upstream.hits).toBe(before + 1);
    expect(events[0]).toMatchObject({ fault: 'stall-response', upstreamStatuses: [201] });
  });

  it('never keeps the proxy from closing: close() ends a 30 s hold at once', async () => {
    const p = await through({ name: 'stall-response' });
    const pending = send(`${p.url}/payments`, { ...payment, timeoutMs: 20_000 });
    // Wait until the fault holds the connection (the upstream answered), then close.
    for (let i = 0; events.length === 0 && i < 2_000; i++) await new Promise((r) => setTimeout(r, 10));
    await p.close();
    const res = await pending;
    // Ended by the close, neither by the 30 s hold nor by the client's 20 s timeout.
    expect(res.status).toBeUndefined();
    expect(res.error).not.toMatch(/TIMEOUT/i);
  });
});
