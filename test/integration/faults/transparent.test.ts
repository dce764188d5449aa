// Requests no fault takes must cross the proxy as if it were not there: status, end-to-end
// headers (repeats included), body bytes both ways, method and query; hop-by-hop headers stop.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFaultProxy, type FaultProxy } from '../../../src/faults/index.js';
import { rawExchange, send, startUpstream, type TestUpstream } from './helpers.js';

let upstream: TestUpstream;
let proxy: FaultProxy;

beforeAll(async () => {
  upstream = await startUpstream();
  // A fault that never matches these requests: the proxy must still be transparent.
  proxy = await startFaultProxy({ upstream: upstream.url, seed: 't', faults: [{ name: 'reset-before-upstream', match: { path: '/never' } }] });
});
afterAll(async () => {
  await proxy.close();
  await upstream.close();
});

describe('transparent pass-through', () => {
  it('relays status, headers and body bytes unchanged', async () => {
    const direct = await send(`${upstream.url}/payments?x=1`, { body: '{"amount":5}' });
    const proxied = await send(`${proxy.url}/payments?x=1`, { body: '{"amount":5}' });
    expect(proxied.status).toBe(201);
    // Same shape as the direct answer except the hit counter in the body.
    expect(JSON.parse(proxied.body!.toString())).toEqual({ ...JSON.parse(direct.body!.toString()), hit: 2 });
    expect(proxied.headers).toMatchObject({
      'content-type': 'application/json',
      location: '/payments/2',
      'set-cookie': ['a=1', 'b=2'],
      'x-upstream': 'yes',
      'content-length': String(proxied.body!.length),
    });
    // The upstream's keep-alive parameters describe its connection, not the proxy's.
    expect(proxied.headers!['keep-alive']).not.toBe('timeout=99');
  });

  it('passes the request on: method, path and query, body, end-to-end headers; not hop-by-hop ones', async () => {
    const before = upstream.hits;
    await send(`${proxy.url}/refunds/7?force=1`, {
      method: 'PUT',
      headers: { 'idempotency-key': '"k-1"', authorization: 'Bearer t', 'x-custom': 'v', te: 'trailers', 'proxy-authorization': 'secret' },
      body: 'refund-body',
    });
    expect(upstream.hits).toBe(before + 1);
    const seen = upstream.seen.at(-1)!;
    expect(seen).toMatchObject({ method: 'PUT', url: '/refunds/7?force=1', body: 'refund-body' });
    expect(seen.headers).toMatchObject({ 'idempotency-key': '"k-1"', authorization: 'Bearer t', 'x-custom': 'v' });
    expect(seen.headers.te).toBeUndefined();
    expect(seen.headers['proxy-authorization']).toBeUndefined();
    expect(seen.headers.host).toBe(new URL(upstream.url).host);
  });

  it('forwards an absolute-form request target (as sent to a forward proxy) by its path and query', async () => {
    const { bytes } = await rawExchange(proxy.url, 'GET http://api.example/payments/3?expand=1 HTTP/1.1\r\nHost: api.example\r\nConnection: close\r\n\r\n');
    expect(bytes.toString()).toMatch(/^HTTP\/1\.1 201 /);
    expect(upstream.seen.at(-1)!.url).toBe('/payments/3?expand=1');
  });

  it('streams a large chunked body byte for byte', async () => {
    const big = await startUpstream({ chunkedBytes: 3 * 1024 * 1024 });
    const p = await startFaultProxy({ upstream: big.url, seed: 't', faults: [] });
    try {
      const res = await send(`${p.url}/blob`, { method: 'GET' });
      expect(res.status).toBe(200);
      expect(res.body!.length).toBe(3 * 1024 * 1024);
      expect(res.body!.every((b) => b === 0x78)).toBe(true);
      expect(p.stats()).toMatchObject({ requests: 1, transparent: 1, proxyErrors: 0 });
    } finally {
      await p.close();
      await big.close();
    }
  });

  it('answers 502 itself when the upstream is unreachable', async () => {
    const p = await startFaultProxy({ upstream: 'http://127.0.0.1:1', seed: 't', faults: [] });
    try {
      const res = await send(`${p.url}/payments`, { body: '{}' });
      expect(res.status).toBe(502);
      expect(res.headers!['x-idemaudit-proxy']).toBe('error');
      expect(res.body!.toString()).toMatch(/^502 fault proxy: /);
      expect(p.stats().proxyErrors).toBe(1);
    } finally {
      await p.close();
    }
  });

  it('counts requests the fault did not match as transparent, not as passed', () => {
    expect(proxy.stats()).toMatchObject({ transparent: proxy.stats().requests, faults: { 'reset-before-upstream': { injected: 0, passed: 0 } } });
  });
});
